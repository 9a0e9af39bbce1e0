using LexV2.ResourcePolicy;
using LexV2.ResourcePolicy.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers <see cref="ILexPolicyClient"/> on <c>IHttpClientFactory</c>: one default client, and any number of named clients
/// (two regions, two accounts' credentials), each with its own options, credentials, retry budget and rate limiter.
/// </summary>
public static class LexPolicyServiceCollectionExtensions
{
    /// <summary>The name of the default client's <c>HttpClient</c>. Its options are the default (unnamed) <see cref="LexPolicyClientOptions"/>, so <c>services.Configure&lt;LexPolicyClientOptions&gt;(...)</c> applies too.</summary>
    public const string HttpClientName = "LexV2.ResourcePolicy";

    /// <summary>
    /// The name of the <c>HttpClient</c> of the client registered under <paramref name="name"/>: <c>LexV2.ResourcePolicy:{name}</c>
    /// (<see cref="HttpClientName"/> for the default client, whose name is empty). Its options are the named
    /// <see cref="LexPolicyClientOptions"/> <paramref name="name"/>.
    /// </summary>
    /// <param name="name">The client's name; empty for the default client.</param>
    /// <returns>The <c>HttpClient</c> name.</returns>
    public static string HttpClientNameFor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length == 0 ? HttpClientName : HttpClientName + ":" + name;
    }

    /// <summary>
    /// Registers the default <see cref="ILexPolicyClient"/>, configured in code. The options are validated when the host starts (a
    /// missing region with no endpoint fails then, not on the first call). Handlers added to the returned builder run between the
    /// client's retries (outermost) and its SigV4 signing (always innermost), so every attempt is signed last.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>, to add handlers or change the primary handler.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, Action<LexPolicyClientOptions> configure) =>
        services.AddLexPolicyClient(Options.Options.DefaultName, configure);

    /// <summary>
    /// Registers the default <see cref="ILexPolicyClient"/>, configured from a configuration section (for example
    /// <c>builder.Configuration.GetSection("LexPolicy")</c> with <c>Region</c>, <c>ServiceUrl</c>, <c>MaxRetries</c>, ...).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, IConfiguration configuration) =>
        services.AddLexPolicyClient(Options.Options.DefaultName, configuration, null);

    /// <summary>
    /// Registers the default <see cref="ILexPolicyClient"/> from a configuration section, then lets code finish the options (for
    /// example to set <see cref="LexPolicyClientOptions.Credentials"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="configure">Runs after binding.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, IConfiguration configuration, Action<LexPolicyClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddLexPolicyClient(Options.Options.DefaultName, configuration, configure);
    }

    /// <summary>
    /// Registers a named <see cref="ILexPolicyClient"/>, configured in code. Resolve it with
    /// <see cref="ILexPolicyClientFactory.CreateClient"/> or as a keyed service (<c>[FromKeyedServices("name")] ILexPolicyClient</c>).
    /// Each name has its own options (the named <see cref="LexPolicyClientOptions"/>), credentials, retry budget and rate limiter.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name; empty registers the default client.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, string name, Action<LexPolicyClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LexPolicyClientOptions>(name).Configure(configure);
        return AddCore(services, name);
    }

    /// <summary>
    /// Registers a named <see cref="ILexPolicyClient"/> from a configuration section (read key by key with the configuration
    /// binder's parsing rules and messages, without reflection), then optionally lets code finish the options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The client's name; empty registers the default client.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <param name="configure">Runs after binding, when given.</param>
    /// <returns>The builder of the client's <c>HttpClient</c>.</returns>
    public static IHttpClientBuilder AddLexPolicyClient(this IServiceCollection services, string name, IConfiguration configuration, Action<LexPolicyClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<LexPolicyClientOptions>(name).Configure(o => BoundSettings.From(configuration).ApplyTo(o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services, name);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services, string name)
    {
        services.AddOptions<LexPolicyClientOptions>(name).ValidateOnStart();
        services.AddSingleton(new LexPolicyClientRegistration(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LexPolicyClientOptions>, LexPolicyClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LexClientRuntimes>();
        services.TryAddSingleton<ILexPolicyClientFactory, LexPolicyClientFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, LexHandlerBuilderFilter>());

        // HttpClientFactory's own request and response logging is taken off: it writes every header value at Trace, where a
        // server that echoes the session token or the signature into a response header would put them in the log (its
        // redaction matches header names only). The client logs each attempt itself (category LexV2.ResourcePolicy), with
        // the attempt's signature, session token and secret key scrubbed from every value.
        var builder = services
            .AddHttpClient(HttpClientNameFor(name))
            .ConfigurePrimaryHttpMessageHandler(LexPolicyClient.CreateTransport)
            .RemoveAllLoggers();

        if (name.Length == 0)
        {
            services.TryAddTransient<ILexPolicyClient>(static sp => sp.GetRequiredService<ILexPolicyClientFactory>().CreateClient(Options.Options.DefaultName));
        }
        else
        {
            services.TryAddKeyedTransient<ILexPolicyClient>(name, static (sp, key) => sp.GetRequiredService<ILexPolicyClientFactory>().CreateClient((string)key!));
        }

        return builder;
    }
}
