using System.Buffers;
using System.Net.Http.Headers;

namespace LexV2.ResourcePolicy.Http;

/// <summary>Reads response bodies with a size cap, so a hostile or broken answer cannot exhaust memory.</summary>
internal static class ResponseBody
{
    /// <summary>The largest success body accepted (a Lex resource policy is far smaller).</summary>
    public const int MaxSuccessBytes = 1024 * 1024;

    /// <summary>Reads at most <paramref name="max"/> bytes into a new array; <c>Truncated</c> tells whether more was there.</summary>
    public static async Task<(byte[] Bytes, bool Truncated)> ReadCappedAsync(HttpContent? content, int max, CancellationToken cancellationToken)
    {
        using var body = await ReadPooledAsync(content, max, cancellationToken).ConfigureAwait(false);
        return (body.Span.ToArray(), body.Truncated);
    }

    /// <summary>Reads at most <paramref name="max"/> bytes into a pooled buffer (dispose the result to return it).</summary>
    public static async ValueTask<PooledBody> ReadPooledAsync(HttpContent? content, int max, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return new PooledBody([], 0, false, pooled: false);
        }

        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            int initial = DeclaredLength(content) is long declared && declared >= 0 && declared <= max ? (int)declared + 1 : 16 * 1024;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(max + 1, initial));
            int length = 0;
            try
            {
                while (length <= max)
                {
                    if (length == buffer.Length)
                    {
                        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    int read;
                    try
                    {
                        read = await stream.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, max + 1) - length), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is InvalidDataException || (e is InvalidOperationException && e is not ObjectDisposedException))
                    {
                        // A body whose Content-Encoding does not decode (gzip/deflate throw InvalidDataException, brotli
                        // InvalidOperationException): an unreadable answer, handled like any broken body.
                        throw new IOException("The response body could not be decoded by its Content-Encoding.", e);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }

                return new PooledBody(buffer, Math.Min(length, max), length > max, pooled: true);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
    }

    /// <summary>
    /// The body's length as the answer declared it (read raw: the typed <c>ContentLength</c> would parse and store the header on
    /// every call), or as the content computes it when it has no such header (in-memory contents); only sizes the first buffer.
    /// </summary>
    private static long? DeclaredLength(HttpContent content) =>
        content.Headers.NonValidated.TryGetValues("Content-Length", out HeaderStringValues values)
            ? values.Count == 1 && long.TryParse(values.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length) ? length : null
            : content.Headers.ContentLength;

    /// <summary>
    /// Replaces an error answer's content with at most <see cref="Errors.ErrorResponse.MaxBodyBytes"/> of it, buffered, so it can be
    /// inspected for retry decisions and read again when mapped to an exception. Returns the buffered bytes.
    /// </summary>
    public static async Task<byte[]> BufferErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        HttpContent? old = response.Content;
        byte[] bytes;
        try
        {
            (bytes, _) = await ReadCappedAsync(old, Errors.ErrorResponse.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            bytes = []; // a truncated or reset error body: the status and headers still say what happened
        }

        var buffered = new ByteArrayContent(bytes);
        if (old is not null)
        {
            foreach (var header in old.Headers)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            old.Dispose();
        }

        response.Content = buffered;
        return bytes;
    }
}

/// <summary>A response body in a pooled buffer.</summary>
internal sealed class PooledBody(byte[] buffer, int length, bool truncated, bool pooled) : IDisposable
{
    private byte[]? _buffer = buffer;

    public bool Truncated { get; } = truncated;

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, length);

    public void Dispose()
    {
        if (pooled && Interlocked.Exchange(ref _buffer, null) is { } b)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
