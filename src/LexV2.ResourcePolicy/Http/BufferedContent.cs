namespace LexV2.ResourcePolicy.Http;

/// <summary>
/// A request body held in memory, exposing its bytes so the retry handler can resend it and the signer can hash it without
/// copying. A handler that replaces the content simply loses this shortcut.
/// </summary>
internal sealed class BufferedContent : ByteArrayContent
{
    public BufferedContent(byte[] bytes)
        : base(bytes)
    {
        Bytes = bytes;
    }

    public byte[] Bytes { get; }
}
