using LexV2.ResourcePolicy;
using LexV2.ResourcePolicy.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ILexPolicyClient"/> as a typed client on <c>IHttpClientFactory</c>.</summary>
public static class LexPolicyServiceCollectionExtensions
{
    /// <summary>The name of the <c>HttpClient</c> the client uses. Its options are the default (unnamed) <see cref="LexPolicyClientOptions"/>, so <c>services.Configure&lt;LexPolicyClientOptions&gt;(...)</c> applies too.</summary>
    public const string HttpClientName = "LexV2.ResourcePolicy";

    /// <summary>
    /// Registers <see cref="ILexPolicyClient"/>, configured in code. The options are validated when the host starts (a missing
    /// region with no <c>ServiceUrl</c> fails then, not on the first call). Handlers added to the returned builder run between the
    /// client's retries (outermost) and its SigV4 signing (always innermost), so every attempt is signed last.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>, to add handlers or change the primary handler.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, Action<LexPolicyClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LexPolicyClientOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="ILexPolicyClient"/>, configured from a configuration section (for example
    /// <c>builder.Configuration.GetSection("LexPolicy")</c> with <c>Region</c>, <c>ServiceUrl</c>, <c>MaxRetries</c>, ...).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LexPolicyClientOptions>().Configure(o => o.BindFrom(configuration));
        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="ILexPolicyClient"/> from a configuration section, then lets code finish the options (for example
    /// to set <see cref="LexPolicyClientOptions.Credentials"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="configure">Runs after binding.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, IConfiguration configuration, Action<LexPolicyClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddLexPolicyClient(configuration);
        services.Configure(configure);
        return builder;
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<LexPolicyClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LexPolicyClientOptions>, LexPolicyClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new LexClientRuntimeHolder(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, LexHandlerBuilderFilter>());

        return services
            .AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(LexPolicyClient.CreateTransport)
            .RedactLoggedHeaders(static h => h.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || h.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase))
            .AddTypedClient<ILexPolicyClient>((http, sp) => new LexPolicyClient(http, sp.GetRequiredService<LexClientRuntimeHolder>().Runtime));
    }
}
