namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// The offset between this machine's clock and the service's, learned from a rejected request's <c>Date</c> header and added
/// to every later signing time of the same client. Thread-safe.
/// </summary>
internal sealed class ClockSkew
{
    private long _ticks;

    public TimeSpan Offset => new(Volatile.Read(ref _ticks));

    public void Set(TimeSpan offset) => Volatile.Write(ref _ticks, offset.Ticks);
}
