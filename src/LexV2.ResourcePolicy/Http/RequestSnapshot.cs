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
    private readonly Header[] _headers;
    private readonly Header[] _contentHeaders;
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
        // The client's own messages carry their data as properties and never options (reading Options would create them).
        _options = request is LexRequestMessage ? [] : CopyOptions(request.Options);
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
        foreach (Header header in _headers)
        {
            header.AddTo(message.Headers);
        }

        if (_body is not null)
        {
            message.Content = new BufferedContent(_body);
            foreach (Header header in _contentHeaders)
            {
                header.AddTo(message.Content.Headers);
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

    private static Header[] Copy(HttpHeadersNonValidated headers, bool skipSignature)
    {
        if (headers.Count == 0)
        {
            return [];
        }

        var copy = new Header[headers.Count];
        int count = 0;
        foreach (var header in headers)
        {
            if (skipSignature && IsSignatureHeader(header.Key))
            {
                continue;
            }

            HeaderStringValues values = header.Value;
            copy[count++] = values.Count == 1 ? new Header(header.Key, values.ToString(), null) : new Header(header.Key, null, [.. values]);
        }

        return count == copy.Length ? copy : copy[..count];
    }

    private static bool IsSignatureHeader(string name)
    {
        foreach (string signature in SignatureHeaders)
        {
            if (signature.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static KeyValuePair<string, object?>[] CopyOptions(HttpRequestOptions options)
    {
        IDictionary<string, object?> all = options;
        if (all.Count == 0)
        {
            return [];
        }

        var copy = new List<KeyValuePair<string, object?>>(all.Count);
        foreach (var option in all)
        {
            if (option.Key != Signing.SigningRecord.Key.Key)
            {
                copy.Add(option);
            }
        }

        return [.. copy];
    }

    /// <summary>One header as the caller's request had it: a single value kept as is, several as an array.</summary>
    private readonly struct Header(string name, string? single, string[]? values)
    {
        public void AddTo(HttpHeaders headers)
        {
            if (single is not null)
            {
                headers.TryAddWithoutValidation(name, single);
            }
            else
            {
                headers.TryAddWithoutValidation(name, values!);
            }
        }
    }
}
