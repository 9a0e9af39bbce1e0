using System.Threading.RateLimiting;

namespace LexV2.ResourcePolicy.Resilience;

/// <summary>
/// The client-side rate limiter of the AWS SDKs' <c>adaptive</c> retry mode, as a <see cref="RateLimiter"/> that the client's Polly
/// pipeline asks for a permit before every attempt. It lets everything through until the first throttling answer; from then on
/// a token bucket paces attempts. Each throttle lowers the send rate to 70 % of the rate measured when it came (multiplicative
/// decrease); each success raises it along a CUBIC curve back towards, and past, the rate at the last throttle. Shared by all
/// calls of one client; thread-safe; all timing comes from the client's <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// <para>
/// Constants as in botocore (<c>botocore/retries</c>): CUBIC scale 0.4 and beta 0.7; the send rate is measured in half-second
/// buckets smoothed by 0.8; the bucket fills at least 0.5 tokens a second and at most twice the measured send rate, and holds
/// the fill rate's worth of tokens (at least one).
/// </para>
/// <para>
/// Waiting callers reserve nothing: they queue in arrival order, and one timer is set for the moment the bucket will hold a
/// token for the first of them. Every change of the fill rate (each answer) and every token handed out sets that moment anew,
/// so a rate that rises after an outage releases the callers already waiting at once (botocore's token bucket likewise
/// recomputes its waits when the rate changes). A caller that gives up leaves the queue and takes nothing from the bucket.
/// </para>
/// <para>
/// One difference: before the first half-second bucket completes, the send rate is estimated from the answers so far instead
/// of taken as 0.
/// </para>
/// </remarks>
internal sealed class AdaptiveRateLimiter : RateLimiter
{
    private const double Scale = 0.4;
    private const double Beta = 0.7;
    private const double MinFillRate = 0.5;
    private const double Smoothing = 0.8;
    private const double BucketsPerSecond = 2; // half-second measurement buckets
    private const double MaxRateAdjustScale = 2.0;

    /// <summary>Less than this short of a token counts as a token (the timer's and the clock's rounding).</summary>
    private const double Tolerance = 1e-6;

    /// <summary>The shortest timer the limiter sets for the next waiter.</summary>
    private const double MinWaitSeconds = 0.001;

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly ITimer _timer;
    private bool _disposed;

    // Token bucket.
    private bool _enabled;
    private double _fillRate = 1;
    private double _maxCapacity = 1;
    private double _capacity;
    private double? _lastRefill;

    // CUBIC.
    private double _lastMaxRate;
    private double _lastThrottle;
    private double _timeWindow;

    // Measured send rate.
    private double _measuredRate;
    private double _lastBucket;
    private int _requestCount;

    private long _throttles;

    public AdaptiveRateLimiter(TimeProvider time)
    {
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _lastThrottle = Now();
        _lastBucket = Math.Floor(Now());
        _timer = time.CreateTimer(static s => ((AdaptiveRateLimiter)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether pacing has started (after the first throttling answer).</summary>
    public bool Enabled
    {
        get
        {
            lock (_lock)
            {
                return _enabled;
            }
        }
    }

    /// <summary>The current fill rate of the bucket, in attempts per second.</summary>
    public double FillRate
    {
        get
        {
            lock (_lock)
            {
                return _fillRate;
            }
        }
    }

    /// <summary>How many callers are waiting for a permit.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>How many throttling answers the limiter has seen.</summary>
    public long Throttles => Interlocked.Read(ref _throttles);

    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>Feeds an attempt's outcome back: a throttling answer lowers the rate, anything else lets it grow.</summary>
    public void OnResponse(bool throttled)
    {
        lock (_lock)
        {
            double now = Now();
            double measured = MeasureSendRate(now);
            double newRate;
            if (throttled)
            {
                Interlocked.Increment(ref _throttles);
                double rateToUse = _enabled ? Math.Min(measured, _fillRate) : measured;
                _lastMaxRate = rateToUse;
                _timeWindow = Math.Cbrt(_lastMaxRate * (1 - Beta) / Scale);
                _lastThrottle = now;
                newRate = rateToUse * Beta;
                _enabled = true;
            }
            else
            {
                double dt = Math.Max(0, now - _lastThrottle);
                newRate = (Scale * Math.Pow(dt - _timeWindow, 3)) + _lastMaxRate;
            }

            SetFillRate(Math.Min(newRate, MaxRateAdjustScale * measured), now);
            Dispatch(now);
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermits(permitCount);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_enabled)
            {
                return Lease.Acquired;
            }

            Dispatch(Now());
            return _waiters.Count == 0 && TryTake(permitCount) ? Lease.Acquired : Lease.Rejected;
        }
    }

    /// <summary>
    /// A permit now if the bucket holds one and nobody is waiting; otherwise the caller joins the queue, and is released when
    /// the bucket, at whatever rate it fills by then, holds a token for it.
    /// </summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermits(permitCount);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_enabled)
            {
                return new(Lease.Acquired);
            }

            double now = Now();
            Dispatch(now);
            if (_waiters.Count == 0 && TryTake(permitCount))
            {
                return new(Lease.Acquired);
            }

            if (permitCount == 0)
            {
                return new(Lease.Rejected);
            }

            var waiter = new Waiter(this);
            waiter.Node = _waiters.AddLast(waiter);
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.UnsafeRegister(static (s, token) => ((Waiter)s!).Cancel(token), waiter);
            }

            Dispatch(now);
            return new(waiter.Task);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    _timer.Dispose();
                    while (_waiters.First is { } first)
                    {
                        _waiters.RemoveFirst();
                        first.Value.Registration.Unregister();
                        first.Value.Source.TrySetException(new ObjectDisposedException(nameof(AdaptiveRateLimiter)));
                    }
                }
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>One attempt takes one token; asking for more could never be met by a bucket that holds a single token at the slowest rate.</summary>
    private static void CheckPermits(int permitCount) => ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, 1);

    private void OnTimer()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                Dispatch(Now());
            }
        }
    }

    /// <summary>
    /// Under the lock: hands the bucket's whole tokens to the waiters in arrival order, then sets the timer for the moment the
    /// bucket, at the current fill rate, will hold a token for the first one still waiting (or stops it when nobody waits).
    /// </summary>
    private void Dispatch(double now)
    {
        Refill(now);
        while (_waiters.First is { } first && TryTake(1))
        {
            _waiters.RemoveFirst();
            first.Value.Registration.Unregister();
            first.Value.Source.TrySetResult(Lease.Acquired); // continuations run asynchronously, outside the lock
        }

        if (_disposed)
        {
            return;
        }

        // At least a millisecond: a wait that rounds to nothing would fire again at once on a clock that has not moved.
        _timer.Change(
            _waiters.Count == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Math.Max(MinWaitSeconds, (1 - _capacity) / _fillRate)),
            Timeout.InfiniteTimeSpan);
    }

    private bool TryTake(int permitCount)
    {
        if (_capacity + Tolerance < permitCount)
        {
            return false;
        }

        _capacity = Math.Max(0, _capacity - permitCount);
        return true;
    }

    private void Refill(double now)
    {
        if (_lastRefill is { } last)
        {
            // A clock set back (a test's fake clock, a corrected system clock) adds nothing, and takes nothing away.
            _capacity = Math.Min(_maxCapacity, _capacity + (Math.Max(0, now - last) * _fillRate));
        }

        _lastRefill = now;
    }

    /// <summary>Refills at the old rate up to now, then sets the new one (as botocore's <c>TokenBucket.max_rate</c> does).</summary>
    private void SetFillRate(double rate, double now)
    {
        Refill(now);
        _fillRate = Math.Max(rate, MinFillRate);
        _maxCapacity = Math.Max(rate, 1);
        _capacity = Math.Min(_capacity, _maxCapacity);
    }

    private double MeasureSendRate(double now)
    {
        double bucket = Math.Floor(now * BucketsPerSecond) / BucketsPerSecond;
        if (bucket < _lastBucket)
        {
            _lastBucket = bucket; // the clock went back: measure from here
        }

        _requestCount++;
        if (bucket > _lastBucket)
        {
            double current = _requestCount / (bucket - _lastBucket);
            _measuredRate = (current * Smoothing) + (_measuredRate * (1 - Smoothing));
            _requestCount = 0;
            _lastBucket = bucket;
        }

        // Until a first half-second bucket is complete there is no measurement; the SDKs then take 0, which drops the rate to
        // the floor at a throttle early in a burst. Estimate it from the answers so far.
        return _measuredRate == 0 && now > _lastBucket ? _requestCount / (now - _lastBucket) : _measuredRate;
    }

    private double Now() => _time.GetElapsedTime(_startTimestamp).TotalSeconds;

    /// <summary>A caller waiting for a permit: in the queue until it gets one or gives up.</summary>
    private sealed class Waiter(AdaptiveRateLimiter owner)
    {
        public TaskCompletionSource<RateLimitLease> Source { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<RateLimitLease> Task => Source.Task;

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        /// <summary>Leaves the queue (if still in it) without having taken anything, and lets the next caller be timed.</summary>
        public void Cancel(CancellationToken token)
        {
            lock (owner._lock)
            {
                if (Node?.List is null)
                {
                    return; // already released (or the limiter was disposed)
                }

                owner._waiters.Remove(Node);
                if (!owner._disposed)
                {
                    owner.Dispatch(owner.Now());
                }
            }

            Source.TrySetCanceled(token);
        }
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true);
        public static readonly Lease Rejected = new(false);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
