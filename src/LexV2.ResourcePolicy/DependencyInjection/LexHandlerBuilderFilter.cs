using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LexV2.ResourcePolicy.DependencyInjection;

/// <summary>
/// Puts the client's own handlers around whatever the user configured on its <c>HttpClient</c>: the retry handler first
/// (outermost) and the signing handler last (innermost), whatever order handlers were registered in.
/// </summary>
internal sealed class LexHandlerBuilderFilter(LexClientRuntimes runtimes) : IHttpMessageHandlerBuilderFilter
{
    private const string Prefix = Microsoft.Extensions.DependencyInjection.LexPolicyServiceCollectionExtensions.HttpClientName;

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        string? name = builder.Name == Prefix ? string.Empty : builder.Name?.StartsWith(Prefix + ":", StringComparison.Ordinal) == true ? builder.Name[(Prefix.Length + 1)..] : null;
        if (name is not null)
        {
            var runtime = runtimes.Get(name);
            builder.AdditionalHandlers.Insert(0, runtime.CreateRetryHandler());
            builder.AdditionalHandlers.Add(runtime.CreateSigningHandler());
            LexPolicyClient.NeverFollowRedirects(builder.PrimaryHandler);
        }
    };
}

/// <summary>Validates the options when the host starts, with messages that name the setting.</summary>
internal sealed class LexPolicyClientOptionsValidator(IEnumerable<LexPolicyClientRegistration> registrations) : IValidateOptions<LexPolicyClientOptions>
{
    private readonly HashSet<string> _names = [.. registrations.Select(r => r.Name)];

    public ValidateOptionsResult Validate(string? name, LexPolicyClientOptions options)
    {
        if (!_names.Contains(name ?? Options.DefaultName))
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = options.Problems().ToList();
        if (problems.Count == 0)
        {
            try
            {
                _ = Configuration.ClientSettings.Resolve(options);
            }
            catch (InvalidOperationException e)
            {
                problems.Add(e.Message);
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
