using LexV2.ResourcePolicy.Tests.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace LexV2.ResourcePolicy.Tests.Hardening.HostileServer;

/// <summary>Shared bits of the review-12 regression tests.</summary>
internal static class Review
{
    public const string Described = """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID12345/ALIASID123","policy":"{}","revisionId":"1"}""";

    public static readonly DescribeResourcePolicyRequest Describe = new() { ResourceArn = Fixtures.AliasArn };

    public static LexPolicyClientOptions Options(Uri endpoint, Amazon.Runtime.AWSCredentials? credentials = null, int maxRetries = 3) => new()
    {
        ServiceUrl = endpoint,
        Credentials = credentials ?? Fixtures.Credentials,
        MaxRetries = maxRetries,
        BaseRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(2),
    };

    public static ServiceProvider Di(Uri endpoint, Action<IHttpClientBuilder> configure, Amazon.Runtime.AWSCredentials? credentials = null, int maxRetries = 3)
    {
        var services = new ServiceCollection();
        var builder = services.AddLexPolicyClient(o =>
        {
            o.ServiceUrl = endpoint;
            o.Credentials = credentials ?? Fixtures.Credentials;
            o.MaxRetries = maxRetries;
            o.BaseRetryDelay = TimeSpan.FromMilliseconds(1);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(2);
        });
        configure(builder);
        return services.BuildServiceProvider();
    }

    /// <summary>A handler that runs a callback on the way down (and optionally on the answer).</summary>
    public sealed class Tap(Action<HttpRequestMessage>? down = null, Action<HttpResponseMessage>? up = null) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            down?.Invoke(request);
            var response = await base.SendAsync(request, cancellationToken);
            up?.Invoke(response);
            return response;
        }
    }
}
