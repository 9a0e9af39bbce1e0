using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LexV2.ResourcePolicy.DependencyInjection;

/// <summary>The one runtime (budget, clock skew, credentials) of the DI-registered client, built on first use from the validated options.</summary>
internal sealed class LexClientRuntimeHolder(IServiceProvider services)
{
    private readonly Lazy<LexClientRuntime> _runtime = new(() => new LexClientRuntime(
        ((IOptions<LexPolicyClientOptions>)services.GetService(typeof(IOptions<LexPolicyClientOptions>))!).Value,
        (TimeProvider?)services.GetService(typeof(TimeProvider)),
        (ILoggerFactory?)services.GetService(typeof(ILoggerFactory))));

    public LexClientRuntime Runtime => _runtime.Value;
}

/// <summary>
/// Puts the client's own handlers around whatever the user configured on its <c>HttpClient</c>: the retry handler first
/// (outermost) and the signing handler last (innermost), whatever order handlers were registered in.
/// </summary>
internal sealed class LexHandlerBuilderFilter(LexClientRuntimeHolder holder) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        if (builder.Name == Microsoft.Extensions.DependencyInjection.LexPolicyServiceCollectionExtensions.HttpClientName)
        {
            var runtime = holder.Runtime;
            builder.AdditionalHandlers.Insert(0, runtime.CreateRetryHandler());
            builder.AdditionalHandlers.Add(runtime.CreateSigningHandler());
            NeverFollowRedirects(builder.PrimaryHandler);
        }
    };

    /// <summary>
    /// A primary handler the user configured may follow redirects; turn that off for the standard ones, so that a redirect never
    /// carries the signed request and its session token to another origin (the client also refuses any redirect it sees).
    /// </summary>
    private static void NeverFollowRedirects(HttpMessageHandler primary)
    {
        try
        {
            switch (primary)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            // The handler was already used elsewhere and can no longer be changed; the retry handler still rejects any
            // answer that comes from another origin.
        }
    }
}

/// <summary>Validates the options when the host starts, with messages that name the setting.</summary>
internal sealed class LexPolicyClientOptionsValidator : IValidateOptions<LexPolicyClientOptions>
{
    public ValidateOptionsResult Validate(string? name, LexPolicyClientOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = options.Problems().ToList();
        if (options.ServiceUrl is null && RegionResolver.Resolve(options.Region) is null)
        {
            problems.Add("No AWS region is configured for the Lex policy client: set LexPolicyClientOptions.Region (for example \"us-east-1\"), the AWS_REGION environment variable or a region in the AWS profile, or set ServiceUrl to use a local emulator.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
