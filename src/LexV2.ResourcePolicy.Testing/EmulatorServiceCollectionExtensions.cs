using LexV2.ResourcePolicy;
using LexV2.ResourcePolicy.Testing;
using Microsoft.Extensions.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs a <see cref="LexPolicyEmulator"/> under the client registered by <c>AddLexPolicyClient</c>.</summary>
public static class EmulatorHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends the client's requests to <paramref name="emulator"/> instead of AWS, whatever endpoint and credentials the client's
    /// options would otherwise use, so settings meant for production work unchanged in tests: the client signs with the
    /// emulator's credentials (the first pair of <see cref="LexPolicyEmulatorOptions.Credentials"/>), for the emulator's
    /// <see cref="LexPolicyEmulatorOptions.Region"/> when it requires one (else the client's region, else <c>us-east-1</c>), and
    /// its <c>Profile</c>, <c>ServiceUrl</c>, <c>UseFips</c> and <c>UseDualStack</c> are set aside, so no AWS profile, VPC
    /// endpoint or environment is needed; it retries as its options say (else the defaults), never as the machine's shared AWS
    /// settings say (<c>AWS_MAX_ATTEMPTS</c>, <c>AWS_RETRY_MODE</c>, the profile's), so tests run alike on every machine. Works on the default client and on named ones, also on clients the application
    /// registered before (<c>services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientNameFor(name)).UseLexPolicyEmulator(emulator)</c>,
    /// for example in <c>ConfigureTestServices</c>), and on clients it registers after this call. Its settings and the transport
    /// apply after the application's (<c>PostConfigure</c>); to test other credentials, post-configure the options after this call.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddLexPolicyClient</c>, or <c>services.AddHttpClient(LexPolicyServiceCollectionExtensions.HttpClientNameFor(name))</c>.</param>
    /// <param name="emulator">The emulator; share it with the test to arrange state and inspect requests.</param>
    /// <returns>The same builder.</returns>
    public static IHttpClientBuilder UseLexPolicyEmulator(this IHttpClientBuilder builder, LexPolicyEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(emulator);
        // The client's options are named after its HttpClient: "LexV2.ResourcePolicy" is the default client, "LexV2.ResourcePolicy:{name}" a named one.
        string prefix = LexPolicyServiceCollectionExtensions.HttpClientName + ":";
        string optionsName = builder.Name.StartsWith(prefix, StringComparison.Ordinal) ? builder.Name[prefix.Length..] : Microsoft.Extensions.Options.Options.DefaultName;
        builder.Services.PostConfigure<LexPolicyClientOptions>(optionsName, o =>
        {
            var (accessKey, secretKey) = emulator.ClientCredentials;
            o.Credentials = new Amazon.Runtime.BasicAWSCredentials(accessKey, secretKey);
            o.Region = emulator.RequiredRegion ?? (string.IsNullOrWhiteSpace(o.Region) ? "us-east-1" : o.Region.Trim());
            o.Profile = null;
            o.UseFips = false;
            o.UseDualStack = false;
            LexPolicyEmulator.IgnoreMachineRetrySettings(o);
            // Explicit, so that neither AWS_ENDPOINT_URL nor a profile's endpoint_url applies; the emulator answers on any host.
            o.ServiceUrl = new Uri($"https://models-v2-lex.{o.Region}.amazonaws.com/");
        });
        // The transport too is set after everything else (PostConfigure), so that an AddLexPolicyClient registered after this call
        // (its ConfigurePrimaryHttpMessageHandler, the real transport) cannot put AWS back under the client; the lifetime is
        // infinite so that the factory never disposes the shared emulator with an expired handler chain.
        builder.Services.PostConfigure<HttpClientFactoryOptions>(builder.Name, o =>
        {
            o.HttpMessageHandlerBuilderActions.Add(b => b.PrimaryHandler = emulator);
            o.HandlerLifetime = Timeout.InfiniteTimeSpan;
        });
        return builder;
    }
}
