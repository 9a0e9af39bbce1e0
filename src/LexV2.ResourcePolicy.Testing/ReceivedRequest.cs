namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// A request as an HTTP server received it, for serving the emulator from a server (<c>LexV2.ResourcePolicy.Testing.Server</c>
/// serves it on Kestrel): the method, the request target and the header lines exactly as received, and a way to read the body.
/// The emulator verifies the signature on exactly these (<see cref="LexPolicyEmulator.AnswerAsync"/>), and reads the body only
/// once the headers authenticate, so the body of a request that fails authentication is never held.
/// </summary>
public sealed class ReceivedRequest
{
    private Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>>? _readBody;

    /// <summary>Describes a received request.</summary>
    /// <param name="method">The method, as sent (<c>GET</c>, <c>POST</c>, ...).</param>
    /// <param name="target">
    /// The request target exactly as received, still percent-encoded: the origin form (path and query) of HTTP/1.1, the
    /// <c>:path</c> of HTTP/2. Servers that normalize the path (decode, merge slashes) must pass the raw one, or signatures
    /// computed on the path as sent will not verify.
    /// </param>
    /// <param name="lines">
    /// The header lines, in the order received: the name as sent, the value without its surrounding whitespace (inner
    /// whitespace as sent). A header that came on several lines is several entries (SigV4 joins them with <c>,</c>). HTTP/2's
    /// <c>:authority</c> is the <c>Host</c> line.
    /// </param>
    /// <param name="contentLength">The body length the request declared (<c>Content-Length</c>), if it declared one.</param>
    /// <param name="readBody">
    /// Reads the whole body, when the request has one (<see langword="null"/> when it has none). Called at most once, and not
    /// at all when the headers fail authentication. Whatever it throws (a body over the server's limit, a client that went
    /// away) comes out of <see cref="LexPolicyEmulator.AnswerAsync"/> unchanged, for the server to answer.
    /// </param>
    /// <exception cref="ArgumentNullException">The method, target or lines are null.</exception>
    /// <exception cref="ArgumentException">The method or target is empty.</exception>
    public ReceivedRequest(string method, string target, IReadOnlyList<KeyValuePair<string, string>> lines, long? contentLength, Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>>>? readBody)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentNullException.ThrowIfNull(lines);
        if (contentLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(contentLength), contentLength, "A content length cannot be negative.");
        }

        Method = method;
        Target = target;
        Lines = lines;
        ContentLength = contentLength;
        _readBody = readBody;
        HasBody = readBody is not null;
        BodyLength = contentLength ?? 0;
    }

    /// <summary>The method, as sent.</summary>
    public string Method { get; }

    /// <summary>The request target as received (path and query), still percent-encoded.</summary>
    public string Target { get; }

    /// <summary>The header lines as received.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Lines { get; }

    /// <summary>The declared body length, if any.</summary>
    public long? ContentLength { get; }

    /// <summary>The body, once read (empty before, and when it was discarded unseen).</summary>
    internal ReadOnlyMemory<byte> Body { get; private set; }

    /// <summary>
    /// Whether the body was left unread (the request failed authentication before it was needed): <see cref="Body"/> is then
    /// empty and <see cref="BodyLength"/> says how long it was declared to be.
    /// </summary>
    internal bool BodyDiscarded { get; private set; }

    internal long BodyLength { get; private set; }

    /// <summary>Whether the request has a body still to read.</summary>
    internal bool HasBody { get; }

    /// <summary>A request whose body is already in memory (the in-memory handler's).</summary>
    internal static ReceivedRequest WithBody(string method, string target, IReadOnlyList<KeyValuePair<string, string>> lines, ReadOnlyMemory<byte> body) =>
        new(method, target, lines, body.Length, null) { Body = body, BodyLength = body.Length };

    /// <summary>
    /// The values of every line named <paramref name="name"/> (case-insensitive), in order, joined with <c>,</c> as SigV4
    /// combines repeated header lines; <see langword="null"/> when there is none.
    /// </summary>
    internal string? Joined(string name)
    {
        string? joined = null;
        foreach (var (n, v) in Lines)
        {
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                joined = joined is null ? v : joined + "," + v;
            }
        }

        return joined;
    }

    /// <summary>Reads the body through the server's reader (once).</summary>
    internal async ValueTask ReadBodyAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _readBody, null) is { } read)
        {
            Body = await read(cancellationToken).ConfigureAwait(false);
            BodyLength = Body.Length;
        }
    }

    /// <summary>Leaves the body unread: the request failed authentication, its body is not wanted.</summary>
    internal void DiscardBody()
    {
        _readBody = null;
        BodyDiscarded = true;
    }
}
