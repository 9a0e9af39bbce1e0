using System.Net;
using Amazon.Runtime;
using RichardSzalay.MockHttp;

namespace LexV2.ResourcePolicy.Tests.Signing;

/// <summary>Credential resolution is bounded by the call's token and timeouts, and its failures are typed and not retried.</summary>
public class CredentialTests
{
    private static readonly DescribeResourcePolicyRequest Describe = new() { ResourceArn = Fixtures.AliasArn };

    /// <summary>Credentials whose resolution is scripted by the test.</summary>
    internal sealed class ScriptedCredentials(Func<Task<ImmutableCredentials?>> resolve) : AWSCredentials
    {
        public int Calls;

        public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

        public override Task<ImmutableCredentials> GetCredentialsAsync()
        {
            Interlocked.Increment(ref Calls);
            return resolve()!;
        }
    }

    private static MockClient ClientWith(AWSCredentials credentials, Action<LexPolicyClientOptions>? configure = null)
    {
        var m = new MockClient(o =>
        {
            o.Credentials = credentials;
            configure?.Invoke(o);
        });
        m.Http.When("*").With(_ => Interlocked.Increment(ref m.Sent) > 0).Respond(HttpStatusCode.OK, "application/json", "{}");
        return m;
    }

    [Fact]
    public async Task HangingProvider_IsCutByTheOverallTimeout()
    {
        var never = new TaskCompletionSource<ImmutableCredentials?>();
        using var m = ClientWith(new ScriptedCredentials(() => never.Task), o => { o.OverallTimeout = TimeSpan.FromSeconds(3); o.AttemptTimeout = TimeSpan.FromSeconds(30); });

        Task call = m.Client.DescribeResourcePolicyAsync(Describe);
        await m.Time.WaitForPendingAsync(TimeSpan.FromSeconds(3)); // the overall timeout is armed: advancing now cannot miss it
        Assert.False(call.IsCompleted);
        m.Time.Advance(TimeSpan.FromSeconds(3));

        var e = await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(e.IsOverallTimeout);
        Assert.Equal(0, Volatile.Read(ref m.Sent));
    }

    [Fact]
    public async Task HangingProvider_IsCutByTheAttemptTimeout_AndTheCallEndsTyped()
    {
        var never = new TaskCompletionSource<ImmutableCredentials?>();
        var credentials = new ScriptedCredentials(() => never.Task);
        using var m = ClientWith(credentials, o => { o.AttemptTimeout = TimeSpan.FromSeconds(2); o.MaxRetries = 0; });

        Task call = m.Client.DescribeResourcePolicyAsync(Describe);
        await m.Time.WaitForPendingAsync(TimeSpan.FromSeconds(2)); // the attempt timeout is armed: advancing now cannot miss it
        m.Time.Advance(TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<LexPolicyTimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(e.IsOverallTimeout);
    }

    [Fact]
    public async Task HangingProvider_HonoursTheCallersToken()
    {
        var never = new TaskCompletionSource<ImmutableCredentials?>();
        using var m = ClientWith(new ScriptedCredentials(() => never.Task));
        using var cts = new CancellationTokenSource();

        Task call = m.Client.DescribeResourcePolicyAsync(Describe, cts.Token);
        await Task.Delay(50);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    public static TheoryData<string> Failures => new() { "throws", "throws-http", "null", "faulted-task" };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task ProviderFailure_IsCredentialsUnavailable_WithNothingSentAndNoRetry(string how)
    {
        Exception cause = how == "throws-http" ? new HttpRequestException("sso endpoint unreachable") : new InvalidOperationException("profile 'x' is broken");
        var credentials = new ScriptedCredentials(() => how switch
        {
            "null" => Task.FromResult<ImmutableCredentials?>(null),
            "faulted-task" => Task.FromException<ImmutableCredentials?>(cause),
            _ => throw cause,
        });
        using var m = ClientWith(credentials);

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(Describe));

        Assert.Equal("CredentialsUnavailable", e.ErrorCode);
        Assert.Equal(0, e.Attempts);
        Assert.Equal(1, credentials.Calls);
        Assert.Equal(0, Volatile.Read(ref m.Sent));
        if (how == "null")
        {
            Assert.Null(e.InnerException);
        }
        else
        {
            Assert.Same(cause, e.InnerException);
        }
    }

    [Theory]
    [InlineData("AKID\r\nX", Fixtures.SecretKey, null)]
    [InlineData("AKIDEXAMPLE", "secret\nwith newline", null)]
    [InlineData("AKIDÉ", Fixtures.SecretKey, null)]
    [InlineData("", Fixtures.SecretKey, null)]
    [InlineData("AKIDEXAMPLE", "", null)]
    [InlineData("AKIDEXAMPLE", Fixtures.SecretKey, "token\u0000nul")]
    public async Task KeysOutsideVisibleAscii_AreRefusedBeforeSending(string accessKey, string secretKey, string? token)
    {
        using var m = ClientWith(new ScriptedCredentials(() => Task.FromResult<ImmutableCredentials?>(new ImmutableCredentials(accessKey, secretKey, token))));

        var e = await Assert.ThrowsAsync<LexPolicyException>(() => m.Client.DescribeResourcePolicyAsync(Describe));

        Assert.Equal("CredentialsUnavailable", e.ErrorCode);
        Assert.Equal(0, e.Attempts);
        if (secretKey.Length > 0)
        {
            Assert.DoesNotContain(secretKey, e.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, Volatile.Read(ref m.Sent));
    }

    [Fact]
    public async Task SlowProviderThatSucceeds_IsUsed()
    {
        var credentials = new ScriptedCredentials(async () =>
        {
            await Task.Delay(20);
            return new ImmutableCredentials(Fixtures.AccessKey, Fixtures.SecretKey, null);
        });
        using var m = ClientWith(credentials);
        var response = await m.Client.DescribeResourcePolicyAsync(Describe);
        Assert.NotNull(response);
        Assert.Equal(1, credentials.Calls);
    }
}

/// <summary>The default chain, driven through environment variables: these tests change process state, so they run alone.</summary>
[CollectionDefinition(nameof(EnvironmentVariableTests), DisableParallelization = true)]
public sealed class EnvironmentVariableTests;

[Collection(nameof(EnvironmentVariableTests))]
public class DefaultChainTests
{
    [Fact]
    public async Task FailedDefaultChain_IsResolvedAgainOnTheNextCall()
    {
        string dir = Directory.CreateTempSubdirectory("lexpolicy-creds-").FullName;
        var saved = new Dictionary<string, string?>();
        void Set(string name, string? value)
        {
            if (!saved.ContainsKey(name))
            {
                saved[name] = Environment.GetEnvironmentVariable(name);
            }

            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            File.WriteAllText(Path.Combine(dir, "credentials"), "");
            File.WriteAllText(Path.Combine(dir, "config"), "[profile lexpolicy-test-none]\nregion = us-east-1\n"); // a profile without keys
            Set("AWS_ACCESS_KEY_ID", null);
            Set("AWS_SECRET_ACCESS_KEY", null);
            Set("AWS_SECRET_KEY", null);
            Set("AWS_SESSION_TOKEN", null);
            Set("AWS_PROFILE", "lexpolicy-test-none");
            Set("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(dir, "credentials"));
            Set("AWS_CONFIG_FILE", Path.Combine(dir, "config"));
            Set("AWS_WEB_IDENTITY_TOKEN_FILE", null);
            Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null);
            Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", null);
            Set("AWS_EC2_METADATA_DISABLED", "true");

            var http = new MockHttpMessageHandler();
            var any = http.When("*").Respond(HttpStatusCode.OK, "application/json", "{}");
            using var client = new LexPolicyClient(new LexPolicyClientOptions { Region = "us-east-1" }, http);

            var e = await Assert.ThrowsAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }));
            Assert.Equal("CredentialsUnavailable", e.ErrorCode);
            Assert.Equal(0, e.Attempts);
            Assert.Equal(0, http.GetMatchCount(any));

            Set("AWS_ACCESS_KEY_ID", Fixtures.AccessKey);
            Set("AWS_SECRET_ACCESS_KEY", Fixtures.SecretKey);

            await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn });
            Assert.Equal(1, http.GetMatchCount(any));
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            Directory.Delete(dir, recursive: true);
        }
    }
}
