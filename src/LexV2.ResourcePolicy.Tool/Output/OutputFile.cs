using System.Text;

namespace LexV2.ResourcePolicy.Tool.Output;

/// <summary>
/// The files the tool writes for the user (<c>plan --out</c>, <c>caller-policy --out</c>): replaced whole or not at all. The
/// text goes to a new file beside the target, is flushed to disk, then renamed over the target; a run stopped while writing
/// (Ctrl+C, a full disk) leaves the previous file as it was, and no temporary file behind.
/// </summary>
internal static class OutputFile
{
    private const int Chunk = 64 * 1024;

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) to <paramref name="path"/>; a failure is a <see cref="ToolException"/> naming the path.</summary>
    /// <param name="path">The file to replace or create.</param>
    /// <param name="text">Its new content.</param>
    /// <param name="cancellationToken">Stops the write; the previous file is kept.</param>
    /// <param name="afterFirstChunk">Called once the first piece is written (for tests that stop a write part-way).</param>
    public static async Task WriteAsync(string path, string text, CancellationToken cancellationToken, Action? afterFirstChunk = null)
    {
        string temp = string.Empty;
        try
        {
            string full = Path.GetFullPath(path);
            temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                for (int offset = 0; offset < bytes.Length || offset == 0; offset += Chunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(Chunk, bytes.Length - offset)), cancellationToken).ConfigureAwait(false);
                    if (offset == 0)
                    {
                        afterFirstChunk?.Invoke();
                    }
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ToolException($"cannot write {path}: {e.Message} Choose another path with --out.");
        }
        finally
        {
            if (temp.Length > 0 && File.Exists(temp))
            {
                try
                {
                    File.Delete(temp);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The write's own outcome is what the user needs to hear about; a leftover temporary file is named by nothing.
                }
            }
        }
    }
}
