using System.Net.Http.Headers;

namespace LexV2.ResourcePolicy.Http;

/// <summary>
/// The caller's request as it was before any attempt: method, URI, version, headers, options and the body bytes with their
/// content headers. Every attempt is a new message built from it, so headers that handlers add to an attempt (correlation ids,
/// <c>traceparent</c>, signatures) never leak into the next one.
/// </summary>
internal sealed class RequestSnapshot
{
    private static readonly string[] SignatureHeaders = ["Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"];

    private readonly HttpMethod _method;
    private readonly Version _version;
    private readonly HttpVersionPolicy _versionPolicy;
    private readonly KeyValuePair<string, string[]>[] _headers;
    private readonly KeyValuePair<string, string[]>[] _contentHeaders;
    private readonly KeyValuePair<string, object?>[] _options;
    private readonly byte[]? _body;

    private RequestSnapshot(HttpRequestMessage request, byte[]? body)
    {
        _method = request.Method;
        Uri = request.RequestUri ?? throw new InvalidOperationException("The request has no RequestUri.");
        _version = request.Version;
        _versionPolicy = request.VersionPolicy;
        _headers = Copy(request.Headers.NonValidated, skipSignature: true);
        _contentHeaders = request.Content is { } content ? Copy(content.Headers.NonValidated, skipSignature: false) : [];
        _options = [.. request.Options.Where(o => o.Key != Signing.SigningRecord.Key.Key)];
        _body = body;
    }

    public Uri Uri { get; }

    public static async ValueTask<RequestSnapshot> TakeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[]? body = request.Content switch
        {
            null => null,
            BufferedContent buffered => buffered.Bytes,
            var content => await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false),
        };
        return new RequestSnapshot(request, body);
    }

    /// <summary>A new message for one attempt, exactly as the caller's request was.</summary>
    public HttpRequestMessage NewMessage()
    {
        var message = new HttpRequestMessage(_method, Uri) { Version = _version, VersionPolicy = _versionPolicy };
        foreach (var (name, values) in _headers)
        {
            message.Headers.TryAddWithoutValidation(name, values);
        }

        if (_body is not null)
        {
            message.Content = new BufferedContent(_body);
            foreach (var (name, values) in _contentHeaders)
            {
                message.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }

        if (_options.Length > 0)
        {
            var options = (IDictionary<string, object?>)message.Options;
            foreach (var (key, value) in _options)
            {
                options[key] = value;
            }
        }

        return message;
    }

    private static KeyValuePair<string, string[]>[] Copy(HttpHeadersNonValidated headers, bool skipSignature)
    {
        if (headers.Count == 0)
        {
            return [];
        }

        var copy = new List<KeyValuePair<string, string[]>>(headers.Count);
        foreach (var header in headers)
        {
            if (skipSignature && Array.Exists(SignatureHeaders, h => h.Equals(header.Key, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            copy.Add(new(header.Key, [.. header.Value]));
        }

        return [.. copy];
    }
}
