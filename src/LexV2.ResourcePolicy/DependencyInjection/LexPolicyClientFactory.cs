using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LexV2.ResourcePolicy
{

/// <summary>
/// Creates the clients registered with <c>services.AddLexPolicyClient(name, ...)</c>. Clients of one name share their runtime
/// (credentials, retry budget, rate limiter, clock skew); each call returns a lightweight client over a pooled handler chain.
/// </summary>
public interface ILexPolicyClientFactory
{
    /// <summary>Creates the client registered under <paramref name="name"/> (empty for the default client).</summary>
    /// <param name="name">The name given to <c>AddLexPolicyClient</c>.</param>
    /// <returns>The client.</returns>
    /// <exception cref="InvalidOperationException">No client is registered under that name.</exception>
    ILexPolicyClient CreateClient(string name);
}
}

namespace LexV2.ResourcePolicy.DependencyInjection
{
    /// <summary>Marks a client name as registered (one per <c>AddLexPolicyClient</c> call).</summary>
    internal sealed record LexPolicyClientRegistration(string Name);

    /// <summary>One runtime per client name, built on first use from that name's validated options, shared by all its clients and handlers.</summary>
    internal sealed class LexClientRuntimes(IServiceProvider services)
    {
        private readonly ConcurrentDictionary<string, Lazy<LexClientRuntime>> _runtimes = new(StringComparer.Ordinal);

        // PublicationOnly: a failure to build (a configuration error) is not remembered, so a fixed environment is seen next time.
        public LexClientRuntime Get(string name) => _runtimes.GetOrAdd(name, static (n, sp) => new Lazy<LexClientRuntime>(
            () => new LexClientRuntime(
                sp.GetRequiredService<IOptionsMonitor<LexPolicyClientOptions>>().Get(n),
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()),
            LazyThreadSafetyMode.PublicationOnly), services).Value;
    }

    /// <summary>The <see cref="ILexPolicyClientFactory"/> of the container.</summary>
    internal sealed class LexPolicyClientFactory(IHttpClientFactory httpClients, LexClientRuntimes runtimes, IEnumerable<LexPolicyClientRegistration> registrations) : ILexPolicyClientFactory
    {
        private readonly HashSet<string> _names = [.. registrations.Select(r => r.Name)];

        public ILexPolicyClient CreateClient(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (!_names.Contains(name))
            {
                throw new InvalidOperationException($"No Lex policy client is registered under the name '{name}'. Register it with services.AddLexPolicyClient(\"{name}\", ...).");
            }

            return new LexPolicyClient(httpClients.CreateClient(Microsoft.Extensions.DependencyInjection.LexPolicyServiceCollectionExtensions.HttpClientNameFor(name)), runtimes.Get(name));
        }
    }
}
