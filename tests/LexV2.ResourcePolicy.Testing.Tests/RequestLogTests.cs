using System.Net;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>The request log is bounded: by count and bytes, bodies truncated, no bodies for requests that failed authentication.</summary>
public class RequestLogTests
{
    [Fact]
    public async Task UnauthenticatedRequests_AreRecordedWithoutTheirBodies()
    {
        var emulator = new LexPolicyEmulator();
        using var http = new HttpClient(emulator);
        byte[] body = new byte[1024 * 1024];
        for (int i = 0; i < 200; i++)
        {
            using var response = await http.PostAsync(new Uri("https://models-v2-lex.us-east-1.amazonaws.com/policy/x/"), new ByteArrayContent(body));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(200, emulator.Requests.Count);
        Assert.Equal(0, emulator.Requests.Sum(r => (long)r.Body.Length));
    }

    [Fact]
    public async Task AuthenticatedBodies_AreTruncatedTo4KiB()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient(o => { o.ValidateRequests = false; o.MaxRetries = 0; });
        string policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"lex:*\",\"Sid\":\"" + new string('s', 100_000) + "\"}]}";
        await Assert.ThrowsAnyAsync<LexPolicyException>(() => client.CreateResourcePolicyAsync(new() { ResourceArn = "arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ", Policy = policy }));

        var recorded = Assert.Single(emulator.Requests);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(recorded.Body), 1, 4096);
        Assert.StartsWith("{\"policy\"", recorded.Body, StringComparison.Ordinal);
        Assert.True(recorded.BodyLength > 100_000);
    }

    [Fact]
    public async Task Log_IsBoundedByCount_AndByBytes_KeepingTheNewest()
    {
        var byCount = new LexPolicyEmulator(new LexPolicyEmulatorOptions { MaxRecordedRequests = 5 });
        var byBytes = new LexPolicyEmulator(new LexPolicyEmulatorOptions { MaxRecordedBytes = 64 * 1024 });
        foreach (var emulator in new[] { byCount, byBytes })
        {
            using var client = emulator.CreateClient(o => o.MaxRetries = 0);
            for (int i = 0; i < 100; i++)
            {
                await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DescribeResourcePolicyAsync(new() { ResourceArn = $"arn:aws:lex:us-east-1:123456789012:bot/BOT{i:0000000}" }));
            }
        }

        Assert.Equal(5, byCount.Requests.Count);
        Assert.EndsWith("BOT0000099", byCount.Requests[^1].ResourceArn, StringComparison.Ordinal);
        Assert.InRange(byBytes.Requests.Count, 10, 99); // each entry is a few KiB of headers and path: 64 KiB holds some, not all
        Assert.EndsWith("BOT0000099", byBytes.Requests[^1].ResourceArn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1024L, 10)]
    [InlineData(10, 0L, 10)]
    [InlineData(10, 1024L, -1)]
    public void LogBounds_OutOfRange_AreRejectedAtConstruction(int maxRequests, long maxBytes, int maxBodyBytes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LexPolicyEmulator(new LexPolicyEmulatorOptions { MaxRecordedRequests = maxRequests, MaxRecordedBytes = maxBytes, MaxRecordedBodyBytes = maxBodyBytes }));
    }
}
