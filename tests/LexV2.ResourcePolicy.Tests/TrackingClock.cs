using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace LexV2.ResourcePolicy.Tests;

/// <summary>
/// A fake clock that knows the timers armed on it, so that a test moves it only once the code under test waits on one. A fixed
/// real-time pause before <see cref="FakeTimeProvider.Advance"/> is a guess a busy machine can lose: a timer armed after the
/// advance starts from the later time, so its wait comes out longer (a retry delay observed a step late), or never ends.
/// </summary>
/// <remarks>
/// <see cref="DriveAsync{T}"/> steps the clock only while the client waits on it: outside the transport (which tells the clock
/// when a request goes in, <see cref="Sending"/>, and its answer or failure comes out, <see cref="Answered"/>), one of its waits
/// is pending (a timer of its own, such as a retry's delay or the rate limiter's; a timer behind a
/// <see cref="CancellationTokenSource"/> is a timeout, which bounds work rather than waits), or the test says the client waits for
/// a timeout to fire (<see cref="StalledUntilTimeout"/>). Otherwise the client is busy, and the clock stands still however long the
/// machine takes.
/// </remarks>
internal sealed class TrackingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    /// <summary>How long, in real time, a test waits for the code under test to arm a timer or end before it fails.</summary>
    public static readonly TimeSpan RealLimit = TimeSpan.FromSeconds(60);

    private readonly object _gate = new();
    private readonly List<Timer> _timers = [];
    private readonly List<Stall> _stalls = [];
    private int _inTransport;
    private int _answers;
    private int _timeoutsFired;

    /// <summary>True while the client can only go on when the clock moves (see the remarks on the class).</summary>
    public bool ClientWaitsOnTheClock
    {
        get
        {
            lock (_gate)
            {
                return _stalls.Exists(s => s.Answers == _answers && s.TimeoutsFired == _timeoutsFired) || (_inTransport == 0 && _timers.Exists(t => t is { Pending: true, IsTimeout: false }));
            }
        }
    }

    /// <summary>A request went into the transport.</summary>
    public void Sending()
    {
        lock (_gate)
        {
            _inTransport++;
        }
    }

    /// <summary>An answer (or a failure) came out of the transport; it ends the stalls declared before it.</summary>
    public void Answered()
    {
        lock (_gate)
        {
            _inTransport--;
            _answers++;
        }
    }

    /// <summary>
    /// The client waits for a timeout (a transport that never answers, a body that never comes) until one fires, the transport
    /// answers, or the returned scope ends.
    /// </summary>
    public IDisposable StalledUntilTimeout()
    {
        lock (_gate)
        {
            var stall = new Stall(this, _answers, _timeoutsFired);
            _stalls.Add(stall);
            return stall;
        }
    }

    /// <summary>How many timers armed with <paramref name="dueTime"/> are pending (neither fired nor disposed).</summary>
    public int Pending(TimeSpan dueTime)
    {
        lock (_gate)
        {
            return _timers.Count(t => t.Pending && t.DueTime == dueTime);
        }
    }

    /// <summary>Waits (in real time, up to <see cref="RealLimit"/>) until <paramref name="count"/> timers of <paramref name="dueTime"/> are pending.</summary>
    public async Task WaitForPendingAsync(TimeSpan dueTime, int count = 1)
    {
        var real = Stopwatch.StartNew();
        int pending;
        while ((pending = Pending(dueTime)) < count)
        {
            Assert.True(real.Elapsed < RealLimit, $"{pending} of {count} timers of {dueTime.TotalMilliseconds} ms were armed after {real.Elapsed.TotalSeconds:0} s");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Moves the clock in <paramref name="step"/>s while the client waits on it, until <paramref name="call"/> ends; fails after
    /// <see cref="RealLimit"/> of real time, or an hour of the clock's, without an end.
    /// </summary>
    public async Task<T> DriveAsync<T>(Task<T> call, TimeSpan step)
    {
        var real = Stopwatch.StartNew();
        var moved = TimeSpan.Zero;
        while (!call.IsCompleted)
        {
            if (ClientWaitsOnTheClock)
            {
                Assert.True(moved < TimeSpan.FromHours(1), $"the call had not ended after the clock moved {moved}");
                Advance(step);
                moved += step;
                await Task.Yield();
            }
            else
            {
                Assert.True(real.Elapsed < RealLimit, $"the call had not ended, nor waited on the clock, after {real.Elapsed.TotalSeconds:0} s");
                await Task.WhenAny(call, Task.Delay(1));
            }
        }

        return await call;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(dueTime, period, state is CancellationTokenSource);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Attach(base.CreateTimer(
            s =>
            {
                timer.Fired();
                if (timer.IsTimeout)
                {
                    lock (_gate)
                    {
                        _timeoutsFired++;
                    }
                }

                callback(s);
            },
            state,
            dueTime,
            period));
        return timer;
    }

    private sealed class Stall(TrackingClock clock, int answers, int timeoutsFired) : IDisposable
    {
        public int Answers { get; } = answers;

        public int TimeoutsFired { get; } = timeoutsFired;

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._stalls.Remove(this);
            }
        }
    }

    /// <summary>A timer of the fake clock, and whether it is still to fire.</summary>
    private sealed class Timer(TimeSpan dueTime, TimeSpan period, bool isTimeout) : ITimer
    {
        private readonly object _gate = new();
        private TimeSpan _dueTime = dueTime;
        private TimeSpan _period = period;
        private bool _pending = dueTime != Timeout.InfiniteTimeSpan;
        private bool _disposed;
        private ITimer? _inner;

        /// <summary>The timer of a <see cref="CancellationTokenSource"/>: a timeout, not a wait.</summary>
        public bool IsTimeout { get; } = isTimeout;

        /// <summary>The due time it was last armed with.</summary>
        public TimeSpan DueTime
        {
            get
            {
                lock (_gate)
                {
                    return _dueTime;
                }
            }
        }

        public bool Pending
        {
            get
            {
                lock (_gate)
                {
                    return _pending;
                }
            }
        }

        /// <summary>The fake clock's own timer, once created (its callback may already have run, and disposed this one).</summary>
        public void Attach(ITimer inner)
        {
            lock (_gate)
            {
                _inner = inner;
                if (!_disposed)
                {
                    return;
                }
            }

            inner.Dispose();
        }

        public void Fired()
        {
            lock (_gate)
            {
                if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
                {
                    _pending = false;
                }
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ITimer? inner;
            lock (_gate)
            {
                _pending = !_disposed && dueTime != Timeout.InfiniteTimeSpan;
                _dueTime = dueTime;
                _period = period;
                inner = _inner;
            }

            return inner?.Change(dueTime, period) ?? false;
        }

        public void Dispose()
        {
            ITimer? inner;
            lock (_gate)
            {
                _pending = false;
                _disposed = true;
                inner = _inner;
            }

            inner?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
