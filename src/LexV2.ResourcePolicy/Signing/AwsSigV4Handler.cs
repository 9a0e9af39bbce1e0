using System.Globalization;
using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// A <see cref="DelegatingHandler"/> that signs every request it sends with AWS Signature Version 4, using AWSSDK.Core's public
/// signer (<see cref="AWSSigV4Signer"/>) for the canonical request and the signature. This handler is the thin adapter that hands
/// the signer exactly what goes on the wire: each header as .NET writes it (several values joined with <c>", "</c>), and the
/// <c>Host</c> header as sent (IPv6 literals in brackets, a non-default port appended). Put it last (innermost) in a handler
/// chain, so it signs what goes on the wire.
/// </summary>
/// <remarks>
/// <para>
/// It is safe inside a retry loop: each send first removes any earlier <c>Authorization</c>, <c>X-Amz-Date</c>,
/// <c>X-Amz-Content-SHA256</c> and <c>X-Amz-Security-Token</c>, then signs afresh with the current time and credentials.
/// It signs <c>host</c>, <c>x-amz-date</c>, <c>x-amz-content-sha256</c> (the SHA-256 of the body, always sent) and every header
/// the request carries except those that proxies, tracing or the transport may change: <c>User-Agent</c>, <c>Connection</c>,
/// <c>Keep-Alive</c>, <c>Expect</c>, <c>TE</c>, <c>Trailer</c>, <c>Transfer-Encoding</c>, <c>Upgrade</c>, <c>Via</c>,
/// <c>Proxy-Authorization</c>, <c>Content-Length</c>, <c>Accept-Encoding</c> (a decompressing transport appends to it),
/// <c>Cookie</c> (a cookie container appends to it), <c>X-Amzn-Trace-Id</c>, <c>traceparent</c>, <c>tracestate</c>,
/// <c>baggage</c>, <c>Request-Id</c>, <c>Correlation-Context</c>, <c>X-Forwarded-*</c>. The body is buffered to be hashed.
/// </para>
/// <para>
/// Which services it signs correctly: every service that uses SigV4 with a signed payload and the standard canonical URI — the
/// request path normalized (dot segments removed, consecutive slashes collapsed, as AWS services and botocore do) and
/// double-encoded — Lex V2 and the other JSON, rest-json, query and rest-xml APIs (STS, IAM, API Gateway <c>execute-api</c>,
/// Lambda, ...); the request is sent with its path as it is. And Amazon S3 for requests whose body is sent whole: for service
/// <c>s3</c> (and <c>s3express</c>, <c>s3-object-lambda</c>, <c>s3-outposts</c>) the path is signed exactly as sent,
/// single-encoded, as S3 requires, and the body hash is sent in <c>x-amz-content-sha256</c>. Not supported: S3's streaming (<c>aws-chunked</c>) uploads,
/// <c>UNSIGNED-PAYLOAD</c>, SigV4a (multi-region) and presigned URLs. One limit comes from AWSSDK.Core's signer: it orders query
/// parameters by their decoded names where the specification orders the encoded ones, so a query with several parameters whose
/// names hold characters outside <c>A-Z a-z 0-9 - . _ ~</c> (or a repeated name) may be signed in an order the service rejects.
/// Lex V2 sends one parameter, <c>expectedRevisionId</c>.
/// </para>
/// <para>
/// Credentials are resolved on every send, bounded by the request's cancellation token; a provider that fails, returns nothing,
/// or yields keys with characters outside visible ASCII raises a <see cref="LexPolicyException"/> with
/// <see cref="LexPolicyException.ErrorCode"/> <c>CredentialsUnavailable</c> before anything is written. Use it with a plain
/// <see cref="HttpClient"/> for any AWS service:
/// <code>
/// var http = new HttpClient(new AwsSigV4Handler(credentials, "us-east-1", "execute-api") { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } });
/// </code>
/// </para>
/// </remarks>
public sealed class AwsSigV4Handler : DelegatingHandler
{
    private static readonly System.Buffers.SearchValues<char> SigningNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");

    private static readonly string[] StaleHeaders = ["Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"];

    private static readonly HashSet<string> Unsigned = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "User-Agent", "Connection", "Keep-Alive", "Expect", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Via", "Proxy-Authorization", "Proxy-Connection", "Content-Length", "X-Amzn-Trace-Id", "traceparent", "tracestate",
        "baggage", "Request-Id", "Correlation-Context", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
        "X-Forwarded-Port", "Max-Forwards", "Host", "amz-sdk-invocation-id", "amz-sdk-request", "Accept-Encoding", "Cookie",
    };

    private readonly CredentialSource _credentials;
    private RegionEndpoint? _regionEndpoint;
    private readonly string _region;
    private readonly string _service;
    private readonly TimeProvider _time;
    private readonly ClockSkew _skew;
    private HostText? _lastHost;
    private ResolvedCredentials? _lastCredentials;

    /// <summary>Creates a signing handler.</summary>
    /// <param name="credentials">The credentials; a refreshing <see cref="AWSCredentials"/> is renewed as it expires.</param>
    /// <param name="region">The signing region, for example <c>us-east-1</c>.</param>
    /// <param name="service">The signing name of the service; <c>lex</c> for Lex V2.</param>
    /// <param name="timeProvider">The clock for signing dates; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The region or service is empty or malformed.</exception>
    public AwsSigV4Handler(AWSCredentials credentials, string region, string service = "lex", TimeProvider? timeProvider = null)
        : this(new CredentialSource(credentials ?? throw new ArgumentNullException(nameof(credentials)), time: timeProvider), region, service, timeProvider ?? TimeProvider.System, new ClockSkew())
    {
    }

    internal AwsSigV4Handler(CredentialSource credentials, string region, string service, TimeProvider timeProvider, ClockSkew skew)
    {
        if (!Endpoints.LexEndpoint.IsValidRegion(region))
        {
            throw new ArgumentException($"'{region}' is not a valid AWS region name.", nameof(region));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        if (service.AsSpan().ContainsAnyExcept(SigningNameCharacters))
        {
            throw new ArgumentException($"'{service}' is not a valid AWS signing name.", nameof(service));
        }

        _credentials = credentials;
        _region = region;
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
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValueTask signing = SignAsync(request, cancellationToken);
        if (!signing.IsCompletedSuccessfully)
        {
            return SignThenSendAsync(signing, request, cancellationToken);
        }

        // Signed without waiting (keys in memory or already resolved, body buffered): hand the transport's task on as it is, so
        // the answer does not resume one more async method on its way back.
        try
        {
            return base.SendAsync(request, cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            return Task.FromCanceled<HttpResponseMessage>(e.CancellationToken.IsCancellationRequested ? e.CancellationToken : new CancellationToken(canceled: true));
        }
        catch (Exception e)
        {
            return Task.FromException<HttpResponseMessage>(e);
        }
    }

    private async Task<HttpResponseMessage> SignThenSendAsync(ValueTask signing, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await signing.ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    internal async ValueTask SignAsync(HttpRequestMessage request, CancellationToken cancellationToken)
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

        ImmutableCredentials credentials = await _credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        AWSSigningResult result;
        try
        {
            var toSign = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = CanonicalPathUri(uri), Content = body };
            toSign.Headers["Host"] = request.Headers.Host is { Length: > 0 } host ? host : CachedWireHost(uri);
            AddSigned(toSign.Headers, request.Headers.NonValidated);
            if (request.Content is { } content)
            {
                AddSigned(toSign.Headers, content.Headers.NonValidated);
            }

            result = AWSSigV4Signer.Sign(toSign, new AWSSigV4Parameters
            {
                Credentials = Resolved(credentials),
                Region = _regionEndpoint ??= RegionEndpoint.GetBySystemName(_region), // AWSSDK.Core's region table: loaded on first use, not when the handler is built
                Service = _service,
                SignPayload = true,
                SignedAt = SigningClock.Now(_time, _skew),
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new LexPolicyException($"The request could not be signed ({e.GetType().Name}); nothing was sent.", default, "SigningFailed", null, e);
        }

        request.Options.TryGetValue(SigningRecord.Key, out SigningRecord? record);
        foreach (var (name, value) in result.Headers)
        {
            request.Headers.TryAddWithoutValidation(name.Equals("x-amz-security-token", StringComparison.OrdinalIgnoreCase) ? "X-Amz-Security-Token" : name, value);
            if (record is not null && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                record.Authorization = value;
            }
        }

        if (record is not null)
        {
            record.SignedUri = uri;
            record.SessionToken = credentials.UseToken ? credentials.Token : null;
            record.SecretKey = credentials.SecretKey;
        }
    }

    /// <summary>
    /// The URI whose path the signature covers. Every AWS service but S3 normalizes the request path before computing the
    /// canonical request (as botocore does): dot segments removed (RFC 3986) and consecutive slashes collapsed. AWSSDK.Core's
    /// signer encodes the path it is given but does not normalize it, so it is handed the normalized path; the request still
    /// goes out with its path as it is. S3 signs the path exactly as sent (<c>a//b</c> and <c>a/b</c> are different keys).
    /// </summary>
    private Uri CanonicalPathUri(Uri uri)
    {
        if (IsS3(_service))
        {
            return uri;
        }

        string path = uri.AbsolutePath;
        string normalized = NormalizePath(path);
        return ReferenceEquals(normalized, path)
            ? uri
            : new Uri(uri.GetLeftPart(UriPartial.Authority) + normalized + uri.Query, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
    }

    /// <summary>
    /// A path as AWS services normalize it for SigV4 (botocore's <c>remove_dot_segments</c>): <c>.</c> segments dropped, <c>..</c>
    /// removing the segment before it, empty segments dropped; the leading slash kept, and the trailing one when a segment is
    /// left. Returns <paramref name="path"/> itself when there is nothing to change.
    /// </summary>
    internal static string NormalizePath(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        if (!path.Contains("//", StringComparison.Ordinal) && !HasDotSegment(path))
        {
            return path;
        }

        var kept = new List<string>();
        foreach (string segment in path.Split('/'))
        {
            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }
            }
            else if (segment is not ("" or "."))
            {
                kept.Add(segment);
            }
        }

        return (path[0] == '/' ? "/" : string.Empty) + string.Join('/', kept) + (path[^1] == '/' && kept.Count > 0 ? "/" : string.Empty);

        static bool HasDotSegment(string p)
        {
            for (int start = 0; start <= p.Length;)
            {
                int end = p.IndexOf('/', start);
                end = end < 0 ? p.Length : end;
                if (p.AsSpan(start, end - start) is "." or "..")
                {
                    return true;
                }

                start = end + 1;
            }

            return false;
        }
    }

    /// <summary>The signing names of S3 and its variants, which sign the path as sent.</summary>
    private static bool IsS3(string service) => service is "s3" or "s3express" or "s3-object-lambda" or "s3-outposts";

    /// <summary>
    /// <see cref="WireHost"/> of the endpoint this handler last signed for: every request of a client goes to one origin, so the
    /// host text is formatted once, not per attempt.
    /// </summary>
    private string CachedWireHost(Uri uri)
    {
        HostText? last = Volatile.Read(ref _lastHost);
        if (last is not null && last.Port == uri.Port && ReferenceEquals(last.Scheme, uri.Scheme) && last.Host == uri.Host)
        {
            return last.Wire;
        }

        last = new HostText(uri.Scheme, uri.Host, uri.Port, WireHost(uri));
        Volatile.Write(ref _lastHost, last);
        return last.Wire;
    }

    /// <summary>The keys as AWSSDK.Core's signer takes them, made once per resolved set of keys rather than per attempt.</summary>
    private ResolvedCredentials Resolved(ImmutableCredentials credentials)
    {
        ResolvedCredentials? last = Volatile.Read(ref _lastCredentials);
        if (last is null || !ReferenceEquals(last.Keys, credentials))
        {
            last = new ResolvedCredentials(credentials);
            Volatile.Write(ref _lastCredentials, last);
        }

        return last;
    }

    /// <summary>The <c>Host</c> header exactly as .NET's HTTP stack writes it for this URI.</summary>
    internal static string WireHost(Uri uri)
    {
        string host = uri.HostNameType == UriHostNameType.IPv6
            ? "[" + StripZone(uri.IdnHost) + "]"
            : uri.IdnHost;
        return uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);

        static string StripZone(string address) => address.IndexOf('%', StringComparison.Ordinal) is var zone and >= 0 ? address[..zone] : address;
    }

    private static void AddSigned(IDictionary<string, string> destination, HttpHeadersNonValidated headers)
    {
        foreach (var header in headers)
        {
            if (Unsigned.Contains(header.Key) || header.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // One line per header, several values joined as SocketsHttpHandler writes them (", "). A name present in both the
            // request and the content headers goes out as two lines, which SigV4 joins with ",".
            string value = header.Value.Count == 1 ? header.Value.ToString() : string.Join(", ", header.Value);
            destination[header.Key] = destination.TryGetValue(header.Key, out string? earlier) ? earlier + "," + value : value;
        }
    }

    /// <summary>Hands already-resolved (and checked) keys to AWSSDK.Core's signer without a second resolution.</summary>
    private sealed class ResolvedCredentials(ImmutableCredentials credentials) : AWSCredentials
    {
        public ImmutableCredentials Keys => credentials;

        public override ImmutableCredentials GetCredentials() => credentials;

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(credentials);
    }

    /// <summary>An origin and its <c>Host</c> header text.</summary>
    private sealed record HostText(string Scheme, string Host, int Port, string Wire);
}

/// <summary>
/// What the signer used for one attempt (the URI it signed for, the signature, the session token, the secret key), so that the
/// retry handler can redact server text that echoes any of them and knows where the attempt really went. The retry handler puts
/// an empty one in the attempt's options before sending and takes it out again when the attempt is over; the signer fills it
/// when it finds one. Its values are internal fields: no public member to serialize or log, and a <see cref="ToString"/> that
/// shows none of them.
/// </summary>
internal sealed class SigningRecord
{
    public static readonly HttpRequestOptionsKey<SigningRecord> Key = new("LexV2.ResourcePolicy.SigningRecord");

    internal Uri? SignedUri;
    internal string? SessionToken;

    /// <summary>
    /// The secret access key the attempt was signed with. It never goes on the wire, but a server or proxy that learned it
    /// elsewhere may still quote it, and what the server says must not carry it into an exception or a log.
    /// </summary>
    internal string? SecretKey;
    private string? _authorization;

    /// <summary>The <c>Authorization</c> header the signer set; <see cref="Signature"/> is read from it only when needed.</summary>
    internal string? Authorization
    {
        set => _authorization = value;
    }

    /// <summary>The signature of the attempt (from its <c>Authorization</c> header), for redaction.</summary>
    internal string? Signature
    {
        get
        {
            string? authorization = _authorization;
            int at = authorization?.LastIndexOf("Signature=", StringComparison.Ordinal) ?? -1;
            return at >= 0 ? authorization![(at + "Signature=".Length)..] : null;
        }
    }

    /// <summary>Describes the record without the values it holds.</summary>
    public override string ToString() => nameof(SigningRecord);
}

/// <summary>The signing time: the local clock plus the learned skew, never out of range whatever the skew or the clock say.</summary>
internal static class SigningClock
{
    /// <summary>AWS accepts 5 minutes of skew; a server claiming more than a day of difference is not believed.</summary>
    public static readonly TimeSpan MaxPlausibleSkew = TimeSpan.FromHours(24);

    public static DateTime Now(TimeProvider time, ClockSkew skew)
    {
        DateTimeOffset now = time.GetUtcNow();
        TimeSpan offset = skew.Offset;
        if (offset.Duration() > MaxPlausibleSkew)
        {
            offset = TimeSpan.Zero;
        }

        long ticks = now.UtcTicks + offset.Ticks;
        return ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks
            ? now.UtcDateTime
            : new DateTime(ticks, DateTimeKind.Utc);
    }
}
