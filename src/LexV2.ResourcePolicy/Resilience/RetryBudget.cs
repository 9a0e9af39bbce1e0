namespace LexV2.ResourcePolicy.Resilience;

/// <summary>
/// The retry token bucket of the AWS SDKs' standard retry mode, shared by all calls of one client: a retry takes 5 tokens
/// (10 after a timeout), a successful answer returns 1 (or what its retries took). When the bucket is empty no call retries,
/// so a service-wide outage is not multiplied into a retry storm. Thread-safe.
/// </summary>
internal sealed class RetryBudget
{
    public const int RetryCost = 5;
    public const int TimeoutRetryCost = 10;
    public const int SuccessRefund = 1;

    private readonly int _capacity;
    private int _tokens;

    public RetryBudget(int capacity)
    {
        _capacity = capacity;
        _tokens = capacity;
    }

    public int Available => Volatile.Read(ref _tokens);

    public bool TryAcquire(int cost)
    {
        while (true)
        {
            int current = Volatile.Read(ref _tokens);
            if (current < cost)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _tokens, current - cost, current) == current)
            {
                return true;
            }
        }
    }

    public void Release(int amount)
    {
        while (true)
        {
            int current = Volatile.Read(ref _tokens);
            int next = Math.Min(_capacity, current + amount);
            if (next == current || Interlocked.CompareExchange(ref _tokens, next, current) == current)
            {
                return;
            }
        }
    }
}
