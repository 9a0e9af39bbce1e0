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
/// Constants as in the AWS SDKs: CUBIC scale 0.4 and beta 0.7; the send rate is measured in half-second buckets smoothed by
/// 0.8; the bucket never fills slower than 0.5 tokens a second and never faster than twice the measured send rate. One
/// difference: before the first bucket completes, the send rate is estimated from the answers so far instead of taken as 0.
/// </remarks>
internal sealed class AdaptiveRateLimiter : RateLimiter
{
    private const double Scale = 0.4;
    private const double Beta = 0.7;
    private const double MinFillRate = 0.5;
    private const double Smoothing = 0.8;
    private const double BucketsPerSecond = 2; // half-second measurement buckets
    private const double MaxRateAdjustScale = 2.0;

    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;

    // Token bucket.
    private bool _enabled;
    private double _fillRate = MinFillRate;
    private double _maxCapacity = MinFillRate;
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

            SetFillRate(Math.Min(newRate, MaxRateAdjustScale * measured));
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            if (!_enabled)
            {
                return Lease.Acquired;
            }

            Refill(Now());
            if (_capacity < permitCount)
            {
                return Lease.Rejected;
            }

            _capacity -= permitCount;
            return Lease.Acquired;
        }
    }

    /// <summary>
    /// Takes the permits at once and waits for the time the bucket needs to cover them, as the AWS SDKs do: the balance may go
    /// below zero, so callers queue up one fill interval apart instead of racing for each token (and a bucket whose capacity is
    /// under one token, at the slowest rates, still lets a call through every <c>1 / rate</c> seconds).
    /// </summary>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_lock)
        {
            if (!_enabled)
            {
                return Lease.Acquired;
            }

            Refill(Now());
            double deficit = permitCount - _capacity;
            _capacity -= permitCount;
            wait = deficit > 0 ? TimeSpan.FromSeconds(deficit / _fillRate) : TimeSpan.Zero;
        }

        if (wait > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    _capacity += permitCount; // the caller gave up: its reservation goes back
                }

                throw;
            }
        }

        return Lease.Acquired;
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

    private void SetFillRate(double rate)
    {
        Refill(Now());
        _fillRate = Math.Max(rate, MinFillRate);
        _maxCapacity = _fillRate >= 1 ? Math.Floor(_fillRate) : _fillRate;
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
        // the floor at a throttle early in a burst and takes tens of seconds to recover. Estimate it from the answers so far.
        return _measuredRate == 0 && now > _lastBucket ? _requestCount / (now - _lastBucket) : _measuredRate;
    }

    private double Now() => _time.GetElapsedTime(_startTimestamp).TotalSeconds;

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
