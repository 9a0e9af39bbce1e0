using System.Net;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Resilience;

/// <summary>
/// Issue #22, point 1: once the client's shared retry budget is spent, a throttled call fails on its first try, and the error
/// must say that this is why, and what to do about it (it used to read like a plain throttle).
/// </summary>
[Trait("Issue", "22")]
public class RetryBudgetMessageTests
{
    private static readonly DescribeResourcePolicyRequest Describe = new() { ResourceArn = Fixtures.AliasArn };

    private static HttpResponseMessage Throttled()
    {
        var r = new HttpResponseMessage((HttpStatusCode)429) { Content = new StringContent("{\"message\":\"Rate exceeded\"}") };
        r.Headers.TryAddWithoutValidation("x-amzn-ErrorType", "ThrottlingException");
        return r;
    }

    /// <summary>Moves the client's clock in 100 ms steps, only while the client waits on it, until the call ends.</summary>
    private static Task<T> DriveAsync<T>(MockClient m, Task<T> call) => m.Time.DriveAsync(call, TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task Throttled_WithTheBudgetSpent_TheErrorSaysTheBudgetStoppedTheRetries_AndWhatToDo()
    {
        // Budget 5: exactly one retry, then none for any call of this client.
        using var m = new MockClient(o => { o.RetryBudget = 5; o.MaxRetries = 3; });
        m.Http.When("*").Respond(_ => Throttled());

        var first = await Assert.ThrowsAsync<ThrottlingException>(() => DriveAsync(m, m.Client.DescribeResourcePolicyAsync(Describe)));
        var second = await Assert.ThrowsAsync<ThrottlingException>(() => DriveAsync(m, m.Client.DescribeResourcePolicyAsync(Describe)));

        Assert.Equal((2, 1), (first.Attempts, second.Attempts));
        foreach (var e in new[] { first, second })
        {
            Assert.Contains("It was not retried further because the client's retry budget is spent", e.Message, StringComparison.Ordinal);
            Assert.Contains("adaptive retry mode (RetryMode = Adaptive, AWS_RETRY_MODE=adaptive, or lexpolicy --retry-mode adaptive)", e.Message, StringComparison.Ordinal);
            Assert.Contains("raise RetryBudget", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Throttled_WithTheBudgetSpent_InAdaptiveMode_DoesNotTellTheUserToTurnOnAdaptiveMode()
    {
        // lexpolicy runs in adaptive mode by default: advice to switch it on is advice the user cannot follow.
        using var m = new MockClient(o => { o.RetryBudget = 5; o.MaxRetries = 3; o.RetryMode = LexRetryMode.Adaptive; });
        m.Http.When("*").Respond(_ => Throttled());

        await Assert.ThrowsAsync<ThrottlingException>(() => DriveAsync(m, m.Client.DescribeResourcePolicyAsync(Describe)));
        var e = await Assert.ThrowsAsync<ThrottlingException>(() => DriveAsync(m, m.Client.DescribeResourcePolicyAsync(Describe)));

        Assert.Contains("It was not retried further because the client's retry budget is spent", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--retry-mode adaptive", e.Message, StringComparison.Ordinal);
        Assert.Contains("The client already paces itself (adaptive retry mode), so the service accepts fewer calls than are being made: make fewer calls at once (lexpolicy: a lower --concurrency), try again later, or raise RetryBudget.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttled_UntilMaxRetries_WithBudgetLeft_DoesNotBlameTheBudget()
    {
        using var m = new MockClient(o => o.MaxRetries = 1);
        m.Http.When("*").Respond(_ => Throttled());

        var e = await Assert.ThrowsAsync<ThrottlingException>(() => DriveAsync(m, m.Client.DescribeResourcePolicyAsync(Describe)));

        Assert.Equal(2, e.Attempts);
        Assert.DoesNotContain("retry budget", e.Message, StringComparison.Ordinal);
    }
}
