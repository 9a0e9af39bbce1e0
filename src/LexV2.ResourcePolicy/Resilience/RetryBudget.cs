namespace LexV2.ResourcePolicy.Resilience;

/// <summary>
/// The retry token bucket of the AWS SDKs' standard retry mode, shared by all calls of one client: a retry takes 5 tokens
/// (10 after a timeout), a successful answer returns 1 (or the cost of its last retry). When the bucket is empty no call retries,
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

    /// <summary>What one call has taken from the budget.</summary>
    internal struct CallTokens
    {
        /// <summary>The cost of the call's last retry; 0 when it made none.</summary>
        public int LastRetryCost;
    }

    /// <summary>Takes the cost of one retry of a call, remembering it as the call's last.</summary>
    public bool TryAcquire(int cost, ref CallTokens call)
    {
        if (!TryAcquire(cost))
        {
            return false;
        }

        call.LastRetryCost = cost;
        return true;
    }

    /// <summary>
    /// A call succeeded: as in the AWS SDKs' standard mode, a call that retried returns the cost of its last retry only; a call that
    /// did not retry returns <see cref="SuccessRefund"/>.
    /// </summary>
    public void ReleaseOnSuccess(in CallTokens call) => Release(call.LastRetryCost > 0 ? call.LastRetryCost : SuccessRefund);

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
