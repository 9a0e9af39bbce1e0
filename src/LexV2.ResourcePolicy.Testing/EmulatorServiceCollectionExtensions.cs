using LexV2.ResourcePolicy;
using LexV2.ResourcePolicy.Testing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs a <see cref="LexPolicyEmulator"/> under the client registered by <c>AddLexPolicyClient</c>.</summary>
public static class EmulatorHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends the client's requests to <paramref name="emulator"/> instead of AWS. When the options have no credentials or
    /// region, the emulator's example credentials and <c>us-east-1</c> are used, so no AWS configuration is needed.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddLexPolicyClient</c>.</param>
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
            o.Credentials ??= new Amazon.Runtime.BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey);
            o.Region ??= "us-east-1";
        });
        return builder.ConfigurePrimaryHttpMessageHandler(() => emulator).SetHandlerLifetime(Timeout.InfiniteTimeSpan);
    }
}
