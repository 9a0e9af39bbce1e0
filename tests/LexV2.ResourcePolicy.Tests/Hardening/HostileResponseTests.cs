using System.Net;
using System.Text;
using CsCheck;

namespace LexV2.ResourcePolicy.Tests.Hardening;

/// <summary>
/// Feeds the response path random and mutated answers: status codes, headers, bodies (random bytes, mutated and truncated
/// JSON, huge), and streams that fail mid-read. Every outcome must be a typed result or a <see cref="LexPolicyException"/>,
/// within a bounded time, reading a bounded number of bytes.
/// </summary>
public class HostileResponseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>How many random answers each property sees (CsCheck: also shrinks any failure to a minimal case).</summary>
    public const int Iterations = 3000;

    private static readonly string[] Seeds =
    [
        """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot/B","revisionId":"1"}""",
        """{"resourceArn":"a","policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}","revisionId":"12"}""",
        """{"__type":"com.amazonaws.lexmodelsv2#ConflictException","message":"exists"}""",
        """{"code":"ThrottlingException","Message":"slow"}""",
        "<html><body>502 Bad Gateway</body></html>",
        "",
    ];

    internal sealed record Answer(int Status, List<(string Name, string Value)> Headers, byte[] Body, int FailAfter);

    private static readonly Gen<byte[]> Bodies = Gen.OneOf(
        Gen.Byte.Array[0, 300],
        Gen.OneOfConst(Seeds).Select(s => Encoding.UTF8.GetBytes(s)),
        Gen.Select(Gen.OneOfConst(Seeds), Gen.Int[0, 200], Gen.Byte, (s, at, b) =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            if (bytes.Length > 0)
            {
                bytes[at % bytes.Length] = b; // one mutated byte
            }

            return bytes;
        }),
        Gen.Select(Gen.OneOfConst(Seeds), Gen.Int[0, 200], (s, cut) => Encoding.UTF8.GetBytes(s[..Math.Min(cut, s.Length)])), // truncated
        Gen.Int[0, 4].Select(depth => Encoding.UTF8.GetBytes(new string('[', 2000 * depth) + new string(']', 2000 * depth))));

    private static readonly Gen<(string, string)> Headers = Gen.Select(
        Gen.OneOfConst("x-amzn-ErrorType", "x-amzn-error-message", "x-amzn-RequestId", "Retry-After", "Date", "Content-Type", "X-Other"),
        Gen.OneOf(
            Gen.String[Gen.Char, 0, 40],
            Gen.OneOfConst("ThrottlingException:http://x/", "ValidationException", "#", ":", "5", "-3", "1.5", "99999999999", "Tue, 31 Dec 2999 23:59:59 GMT", "application/json", "\r\nX-Injected: 1")));

    private static readonly Gen<Answer> Answers = Gen.Select(
        Gen.OneOf(Gen.Int[100, 599], Gen.OneOfConst(200, 204, 400, 403, 404, 409, 412, 429, 500, 502, 503)),
        Headers.List[0, 5],
        Bodies,
        Gen.OneOf(Gen.Const(-1), Gen.Int[0, 50]),
        (status, headers, body, failAfter) => new Answer(status, headers, body, failAfter));

    [Fact]
    public async Task RandomAnswers_AlwaysEndInATypedResultOrLexPolicyException()
    {
        Answer? current = null;
        var handler = new DelegateHandler(_ => Build(current!));
        using var client = new LexPolicyClient(new LexPolicyClientOptions { Region = "us-east-1", Credentials = Fixtures.Credentials, MaxRetries = 0 }, handler);
        int typedResults = 0, typedErrors = 0;

        await Answers.SampleAsync(
            async answer =>
            {
                current = answer;
                try
                {
                    var response = await client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }).WaitAsync(TimeSpan.FromSeconds(10));
                    Assert.NotNull(response);
                    Interlocked.Increment(ref typedResults);
                }
                catch (LexPolicyException e)
                {
                    Assert.False(string.IsNullOrEmpty(e.Message));
                    Interlocked.Increment(ref typedErrors);
                }
            },
            iter: Iterations,
            threads: 1);

        output.WriteLine($"{Iterations} hostile answers: {typedResults} typed results, {typedErrors} LexPolicyException");
        Assert.Equal(Iterations, typedResults + typedErrors);
    }

    [Fact]
    public async Task RandomAnswers_WithRetriesOn_StillEndTypedAndBounded()
    {
        Answer? current = null;
        var handler = new DelegateHandler(_ => Build(current!));
        using var client = new LexPolicyClient(
            new LexPolicyClientOptions
            {
                Region = "us-east-1", Credentials = Fixtures.Credentials, MaxRetries = 2,
                BaseRetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(2), MaxRetryAfter = TimeSpan.FromMilliseconds(2),
            },
            handler);

        await Answers.SampleAsync(
            async answer =>
            {
                current = answer;
                try
                {
                    await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Fixtures.AliasArn, StatementId = "Sid" }).WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (LexPolicyException)
                {
                    // typed: fine
                }
            },
            iter: Iterations / 3,
            threads: 1);
    }

    [Theory]
    [InlineData(200, 1024 * 1024 + 1)]
    [InlineData(400, 64 * 1024)]
    [InlineData(503, 64 * 1024)]
    public async Task HugeBodies_AreReadOnlyUpToTheCap(int status, int cap)
    {
        var stream = new EndlessStream();
        var handler = new DelegateHandler(_ => new HttpResponseMessage((HttpStatusCode)status) { Content = new StreamContent(stream) });
        using var client = new LexPolicyClient(new LexPolicyClientOptions { Region = "us-east-1", Credentials = Fixtures.Credentials, MaxRetries = 0 }, handler);

        var e = await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = Fixtures.AliasArn }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.True(stream.BytesRead <= cap + (64 * 1024), $"read {stream.BytesRead} bytes");
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
    }

    private static HttpResponseMessage Build(Answer a)
    {
        Stream body = a.FailAfter >= 0 ? new FailingStream(a.Body, a.FailAfter) : new MemoryStream(a.Body);
        var response = new HttpResponseMessage((HttpStatusCode)a.Status) { Content = new StreamContent(body) };
        foreach (var (name, value) in a.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    internal sealed class DelegateHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }

    /// <summary>Serves some bytes, then fails as a reset connection would.</summary>
    private sealed class FailingStream(byte[] data, int failAfter) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            Position >= failAfter ? throw new IOException("connection reset (simulated)") : base.Read(buffer, offset, (int)Math.Min(count, failAfter - Position));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter ? ValueTask.FromException<int>(new IOException("connection reset (simulated)")) : base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAfter - Position)], cancellationToken);
    }

    /// <summary>An endless body that counts what was read from it.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'x');
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
