using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Transforms;

namespace LexV2.ResourcePolicy.Tool.Tests.EndToEnd;

/// <summary>
/// A loopback proxy in front of <c>lexpolicy serve</c> that throttles like Lex's model-building API: ASP.NET Core's Kestrel
/// listens on 127.0.0.1, YARP forwards (keeping the <c>Host</c> the client signed), and the proxy only decides which requests
/// get a 429 <c>ThrottlingException</c> instead: above a rate (a token bucket holding one second's worth, from
/// System.Threading.RateLimiting), or a random fraction. It records what it accepted and refused, the region each request was
/// signed for (from the credential scope, never the signature) and can hold writes back: slow them, or keep them in flight
/// until a test lets them go.
/// </summary>
internal sealed partial class ThrottlingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Seen> _seen = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TokenBucketRateLimiter? _limiter;
    private double _randomFraction;
    private Random _random = new(1);
    private int _holdAfter = int.MaxValue;
    private int _writes;
    private int _held;

    private ThrottlingProxy(WebApplication app)
    {
        _app = app;
    }

    /// <summary>What the proxy saw: when, the method, the path, the region of the credential scope, and whether it was throttled.</summary>
    public sealed record Seen(TimeSpan At, string Method, string Path, string? SignedRegion, bool Throttled);

    /// <summary>The proxy's address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Every request, in arrival order.</summary>
    public IReadOnlyCollection<Seen> Requests => _seen;

    /// <summary>Requests forwarded (not throttled).</summary>
    public int Accepted => _seen.Count(s => !s.Throttled);

    /// <summary>Requests answered 429.</summary>
    public int Throttled => _seen.Count(s => s.Throttled);

    /// <summary>Added before a write (PUT/POST/DELETE) is forwarded; zero by default.</summary>
    public TimeSpan WriteLatency { get; set; }

    /// <summary>How many writes have been held at the proxy so far (<see cref="HoldWritesAfter"/>).</summary>
    public int HeldWrites => Volatile.Read(ref _held);

    private Stopwatch Clock { get; } = Stopwatch.StartNew();

    public static async Task<ThrottlingProxy> StartAsync(Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var proxy = new ThrottlingProxy(app);
        app.Use(proxy.ThrottleAsync);
        // The client signed the Host and the path exactly as it sent them (the ARN in the path is percent-encoded, '/' as %2F):
        // forward both unchanged, and add no X-Forwarded-* headers.
        string origin = upstream.GetLeftPart(UriPartial.Authority);
        app.MapForwarder("/{**path}", origin, transforms =>
        {
            transforms.UseDefaultForwarders = false;
            transforms.AddOriginalHost(true);
            transforms.AddRequestTransform(context =>
            {
                context.ProxyRequest.RequestUri = new Uri(origin + context.HttpContext.Features.Get<IHttpRequestFeature>()!.RawTarget);
                return ValueTask.CompletedTask;
            });
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        proxy.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return proxy;
    }

    /// <summary>Answers 429 to requests beyond <paramref name="perSecond"/> (bursts up to one second's worth); <see langword="null"/> lifts it.</summary>
    public void ThrottleAbove(int? perSecond)
    {
        lock (_gate)
        {
            _limiter?.Dispose();
            _limiter = perSecond is { } rate
                ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = rate,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1.0 / rate),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : null;
        }
    }

    /// <summary>Answers 429 to a random <paramref name="fraction"/> of requests (seeded: the same run throttles the same requests).</summary>
    public void ThrottleRandomly(double fraction, int seed = 1)
    {
        lock (_gate)
        {
            _randomFraction = fraction;
            _random = new Random(seed);
        }
    }

    /// <summary>
    /// From the write after the first <paramref name="count"/> on, writes wait at the proxy, in flight (the client has sent
    /// them), until <see cref="ReleaseWrites"/>; then <see cref="WriteLatency"/> is added and they are forwarded.
    /// </summary>
    public void HoldWritesAfter(int count) => Volatile.Write(ref _holdAfter, count);

    /// <summary>Lets the held writes, and every later one, go on (also when the proxy is disposed).</summary>
    public void ReleaseWrites() => _release.TrySetResult();

    /// <summary>Forgets the requests seen so far.</summary>
    public void ClearLog() => _seen.Clear();

    public async ValueTask DisposeAsync()
    {
        ReleaseWrites();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _limiter?.Dispose();
    }

    private async Task ThrottleAsync(HttpContext context, RequestDelegate next)
    {
        bool throttle = false;
        lock (_gate)
        {
            if (_limiter is { } limiter)
            {
                using var lease = limiter.AttemptAcquire(1);
                throttle = !lease.IsAcquired;
            }

            throttle |= _randomFraction > 0 && _random.NextDouble() < _randomFraction;
        }

        string? authorization = context.Request.Headers.Authorization;
        string? region = authorization is null ? null : ScopeRegion().Match(authorization) is { Success: true } m ? m.Groups[1].Value : null;
        _seen.Enqueue(new Seen(Clock.Elapsed, context.Request.Method, context.Request.Path + context.Request.QueryString, region, throttle));
        if (throttle)
        {
            context.Response.StatusCode = 429;
            context.Response.Headers["x-amzn-ErrorType"] = "ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.lexmodelsv2/";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"message\":\"Rate exceeded\"}");
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            if (Interlocked.Increment(ref _writes) > Volatile.Read(ref _holdAfter) && !_release.Task.IsCompleted)
            {
                Interlocked.Increment(ref _held);
                await _release.Task;
            }

            if (WriteLatency > TimeSpan.Zero)
            {
                await Task.Delay(WriteLatency);
            }
        }

        await next(context);
    }

    /// <summary>The region of a SigV4 credential scope: <c>Credential=AKID/20260101/us-east-1/lex/aws4_request</c>.</summary>
    [GeneratedRegex(@"Credential=[^/,]+/\d{8}/([a-z0-9-]+)/", RegexOptions.CultureInvariant)]
    private static partial Regex ScopeRegion();
}
