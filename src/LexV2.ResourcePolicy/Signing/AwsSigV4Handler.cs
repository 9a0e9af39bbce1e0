using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// A <see cref="DelegatingHandler"/> that signs every request it sends with AWS Signature Version 4. It is safe inside a retry
/// loop: each send first removes any earlier <c>Authorization</c>, <c>X-Amz-Date</c>, <c>X-Amz-Content-SHA256</c> and
/// <c>X-Amz-Security-Token</c>, then signs afresh with the current time and credentials. It signs <c>host</c>,
/// <c>content-type</c> and the <c>x-amz-*</c> headers, never hop-by-hop or unstable ones (<c>Connection</c>, <c>User-Agent</c>,
/// <c>Expect</c>, <c>X-Amzn-Trace-Id</c>, ...). Put it last (innermost) in a handler chain, so it signs what goes on the wire.
/// </summary>
/// <remarks>
/// It encodes the canonical URI twice, as AWS requires for every service but S3, caches the derived signing key per day, and
/// takes credentials from a (refreshing) <see cref="AWSCredentials"/>. Use it with a plain <see cref="HttpClient"/> for any AWS service:
/// <code>
/// var http = new HttpClient(new AwsSigV4Handler(credentials, "us-east-1") { InnerHandler = new SocketsHttpHandler() });
/// </code>
/// </remarks>
public sealed class AwsSigV4Handler : DelegatingHandler
{
    private static readonly string[] StaleHeaders = ["Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"];

    private readonly CredentialSource _credentials;
    private readonly SigV4Signer _signer;
    private readonly string _region;
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
        _region = region;
        _signer = new SigV4Signer(region, service);
        _service = service;
        _time = timeProvider;
        _skew = skew;
    }

    /// <summary>The signing region.</summary>
    public string Region => _region;

    /// <summary>The signing name of the service.</summary>
    public string Service => _service;

    /// <summary>Describes the handler without secrets.</summary>
    /// <returns>The service and region.</returns>
    public override string ToString() => $"AwsSigV4Handler {{ Service = {_service}, Region = {_region} }}";

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await SignAsync(request, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Content-Type as sent; a bare media type is used as stored, without formatting a new string.</summary>
    private static string? ContentTypeOf(HttpContent? content) =>
        content?.Headers.ContentType is not { } type ? null :
        type.Parameters.Count == 0 && type.MediaType is { } media ? media : type.ToString();

    internal async Task SignAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Uri uri = request.RequestUri ?? throw new InvalidOperationException("The request has no RequestUri to sign.");
        foreach (string h in StaleHeaders)
        {
            request.Headers.Remove(h);
        }

        byte[] body = request.Content switch
        {
            null => [],
            Http.BufferedContent buffered => buffered.Bytes,
            var content => await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false),
        };

        ImmutableCredentials credentials = await _credentials.Get().GetCredentialsAsync().ConfigureAwait(false);
        List<KeyValuePair<string, string>>? amzHeaders = null;
        foreach (var header in request.Headers.NonValidated)
        {
            if (header.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                (amzHeaders ??= []).Add(new(header.Key.ToLowerInvariant(), string.Join(",", header.Value)));
            }
        }

        if (credentials.UseToken)
        {
            (amzHeaders ??= []).Add(new("x-amz-security-token", credentials.Token));
        }

        string host = request.Headers.Host ?? (uri.IsDefaultPort ? uri.IdnHost : uri.IdnHost + ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = _signer.Sign(
            request.Method.Method,
            uri,
            host,
            ContentTypeOf(request.Content),
            amzHeaders,
            body,
            credentials,
            (_time.GetUtcNow() + _skew.Offset).UtcDateTime);

        request.Headers.TryAddWithoutValidation("X-Amz-Date", result.AmzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Content-SHA256", result.PayloadHash);
        if (credentials.UseToken)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        }

        request.Headers.TryAddWithoutValidation("Authorization", result.Authorization);
    }
}
