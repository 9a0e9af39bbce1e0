using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// A <see cref="DelegatingHandler"/> that signs every request it sends with AWS Signature Version 4. It is safe inside a retry
/// loop: each send first removes any earlier <c>Authorization</c>, <c>X-Amz-Date</c>, <c>X-Amz-Content-SHA256</c> and
/// <c>X-Amz-Security-Token</c>, then signs afresh with the current time and credentials. It signs <c>host</c>,
/// <c>content-type</c> and the <c>x-amz-*</c> headers, never hop-by-hop or unstable ones (<c>Connection</c>, <c>User-Agent</c>,
/// <c>Expect</c>, <c>X-Amzn-Trace-Id</c>, ...). Put it last (innermost) in a handler chain, so it signs what goes on the wire.
/// </summary>
/// <remarks>
/// The cryptography is AWSSDK.Core's public signer (<see cref="AWSSigV4Signer"/>), which encodes the canonical URI twice,
/// as AWS requires for every service but S3. Use it with a plain <see cref="HttpClient"/> for any AWS service:
/// <code>
/// var http = new HttpClient(new AwsSigV4Handler(credentials, "us-east-1") { InnerHandler = new SocketsHttpHandler() });
/// </code>
/// </remarks>
public sealed class AwsSigV4Handler : DelegatingHandler
{
    private static readonly string[] StaleHeaders = ["Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"];

    private readonly CredentialSource _credentials;
    private readonly RegionEndpoint _region;
    private readonly string _service;
    private readonly TimeProvider _time;
    private readonly ClockSkew _skew;

    /// <summary>Creates a signing handler.</summary>
    /// <param name="credentials">The credentials; a refreshing <see cref="AWSCredentials"/> is renewed as it expires.</param>
    /// <param name="region">The signing region, for example <c>us-east-1</c>.</param>
    /// <param name="service">The signing name of the service; <c>lex</c> for Lex V2.</param>
    /// <param name="timeProvider">The clock for signing dates; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The region or service is empty or malformed.</exception>
    public AwsSigV4Handler(AWSCredentials credentials, string region, string service = "lex", TimeProvider? timeProvider = null)
        : this(new CredentialSource(credentials ?? throw new ArgumentNullException(nameof(credentials))), region, service, timeProvider ?? TimeProvider.System, new ClockSkew())
    {
    }

    internal AwsSigV4Handler(CredentialSource credentials, string region, string service, TimeProvider timeProvider, ClockSkew skew)
    {
        if (!Endpoints.LexEndpoint.IsValidRegion(region))
        {
            throw new ArgumentException($"'{region}' is not a valid AWS region name.", nameof(region));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        _credentials = credentials;
        _region = RegionEndpoint.GetBySystemName(region);
        _service = service;
        _time = timeProvider;
        _skew = skew;
    }

    /// <summary>The signing region.</summary>
    public string Region => _region.SystemName;

    /// <summary>The signing name of the service.</summary>
    public string Service => _service;

    /// <summary>Describes the handler without secrets.</summary>
    /// <returns>The service and region.</returns>
    public override string ToString() => $"AwsSigV4Handler {{ Service = {_service}, Region = {_region.SystemName} }}";

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await SignAsync(request, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    internal async Task SignAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Uri uri = request.RequestUri ?? throw new InvalidOperationException("The request has no RequestUri to sign.");
        foreach (string h in StaleHeaders)
        {
            request.Headers.Remove(h);
        }

        byte[] body = request.Content is null
            ? []
            : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);

        var toSign = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = uri, Content = body };
        toSign.Headers["Host"] = request.Headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : uri.IdnHost + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            toSign.Headers["Content-Type"] = contentType.ToString();
        }

        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                toSign.Headers[header.Key] = string.Join(",", header.Value);
            }
        }

        var parameters = new AWSSigV4Parameters
        {
            Credentials = _credentials.Get(),
            Region = _region,
            Service = _service,
            SignPayload = true,
            SignedAt = (_time.GetUtcNow() + _skew.Offset).UtcDateTime,
        };

        AWSSigningResult result = await AWSSigV4Signer.SignAsync(toSign, parameters, cancellationToken).ConfigureAwait(false);
        foreach (var header in result.Headers)
        {
            if (string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation("Authorization", header.Value);
            }
            else if (!string.Equals(header.Key, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Remove(header.Key);
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }
}
