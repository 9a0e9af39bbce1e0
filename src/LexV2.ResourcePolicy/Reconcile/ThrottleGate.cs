namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>
/// How many calls a reconcile run keeps in flight: at most <see cref="ReconcileOptions.MaxConcurrency"/>, halved when a call is
/// throttled even after the client's own retries, and grown back by one for every <c>limit</c> calls that succeed (additive
/// increase, multiplicative decrease, as TCP does). Calls that started before a decrease do not decrease it again, so one burst
/// of throttled calls halves the limit once, not once per call. It also notices a service that accepts nothing: when a call ends
/// without an answer (throttled through all of the reconciler's waits, timed out, or its connection failed, after the client's
/// own retries) and no call of the run was answered meanwhile, the gate is <see cref="Stalled"/>, and the run starts no more
/// resources. Thread-safe.
/// </summary>
internal sealed class ThrottleGate
{
    private readonly object _lock = new();
    private readonly int _max;
    private readonly Queue<TaskCompletionSource<Permit>> _waiters = new();
    private int _limit;
    private int _inFlight;
    private int _successes;
    private int _epoch;
    private long _answers;
    private LexPolicyException? _stalled;

    public ThrottleGate(int max)
    {
        _max = max;
        _limit = max;
    }

    /// <summary>The current limit.</summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }
    }

    /// <summary>How many times the limit was lowered.</summary>
    public int Decreases { get; private set; }

    /// <summary>How many calls the service answered other than with a throttling error (a success, or another error).</summary>
    public long Answers => Interlocked.Read(ref _answers);

    /// <summary>
    /// Set once a call ended without an answer while no call of the run was answered: the service accepts nothing, so no more
    /// resources are started (their error is this) and the calls waiting to retry a throttle give up.
    /// </summary>
    public LexPolicyException? Stalled => Volatile.Read(ref _stalled);

    /// <summary>Counts a call the service answered with an error other than throttling (it is not refusing everything).</summary>
    public void Answered() => Interlocked.Increment(ref _answers);

    /// <summary>Marks the run as stalled (see <see cref="Stalled"/>); the first reason given is kept.</summary>
    public void Stall(LexPolicyException reason) => Interlocked.CompareExchange(ref _stalled, reason, null);

    /// <summary>Waits for a place among the calls in flight.</summary>
    public async Task<Permit> EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<Permit> waiter;
        lock (_lock)
        {
            if (_inFlight < _limit && _waiters.Count == 0)
            {
                _inFlight++;
                return new Permit(this, _epoch);
            }

            waiter = new TaskCompletionSource<Permit>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        // A cancelled waiter stays in the queue, completed: Exit skips it, so it never holds a place.
        using (cancellationToken.Register(static w => ((TaskCompletionSource<Permit>)w!).TrySetCanceled(), waiter))
        {
            return await waiter.Task.ConfigureAwait(false);
        }
    }

    private void Exit(Permit permit, bool? throttled)
    {
        lock (_lock)
        {
            _inFlight--;
            if (throttled == false)
            {
                Interlocked.Increment(ref _answers);
            }

            if (throttled == true)
            {
                if (permit.Epoch == _epoch)
                {
                    _limit = Math.Max(1, _limit / 2);
                    _successes = 0;
                    _epoch++;
                    Decreases++;
                }
            }
            else if (throttled == false && _limit < _max && ++_successes >= _limit)
            {
                _limit++;
                _successes = 0;
            }

            while (_inFlight < _limit && _waiters.TryDequeue(out var next))
            {
                // A waiter whose caller gave up is skipped; its place goes to the next.
                if (next.TrySetResult(new Permit(this, _epoch)))
                {
                    _inFlight++;
                }
            }
        }
    }

    /// <summary>A place among the calls in flight; give it back with exactly one of its methods.</summary>
    internal sealed class Permit(ThrottleGate gate, int epoch)
    {
        private int _released;

        public int Epoch => epoch;

        /// <summary>The call succeeded (or failed for a reason other than throttling).</summary>
        public void Succeeded() => Release(false);

        /// <summary>The call was throttled: lower the limit (once per burst).</summary>
        public void Throttled() => Release(true);

        /// <summary>The call did not complete (cancelled): neither raise nor lower the limit.</summary>
        public void Abandoned() => Release(null);

        private void Release(bool? throttled)
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Exit(this, throttled);
            }
        }
    }
}
