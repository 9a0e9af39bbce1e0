using Amazon.Runtime;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// The two deletes answer 204 without a body, so their response members are empty on every HTTP client; the new revision
/// comes from DescribeResourcePolicyAsync. The Testing README says so, with the code.
/// </summary>
public class DeleteAnswerTests
{
    private const string Alias = TestSigning.Alias;

    private static CreateResourcePolicyStatementRequest Role(string sid) => TestSigning.RoleStatement(sid);

    [Fact]
    public async Task Served_Deletes_Answer204WithoutABody_MembersAreEmpty_AndDescribeGivesTheNewRevision()
    {
        await using var served = await ServedEmulator.StartAsync(TimeSpan.FromMinutes(1));
        using var client = new LexPolicyClient(new LexPolicyClientOptions
        {
            ServiceUrl = served.Endpoint, Region = "us-east-1",
            Credentials = new BasicAWSCredentials(LexPolicyEmulatorOptions.ExampleAccessKey, LexPolicyEmulatorOptions.ExampleSecretKey),
        });
        await client.CreateResourcePolicyStatementAsync(Role("A"));
        await client.CreateResourcePolicyStatementAsync(Role("B"));

        var deleted = await client.DeleteResourcePolicyStatementAsync(new() { ResourceArn = Alias, StatementId = "A", ExpectedRevisionId = "2" });
        string? revision = (await client.DescribeResourcePolicyAsync(new() { ResourceArn = Alias })).RevisionId;
        var deletedPolicy = await client.DeleteResourcePolicyAsync(new() { ResourceArn = Alias, ExpectedRevisionId = revision });

        Assert.Equal((null, null), (deleted.ResourceArn, deleted.RevisionId));
        Assert.Equal((null, null), (deletedPolicy.ResourceArn, deletedPolicy.RevisionId));
        Assert.Equal("3", revision);

        // On the wire: a 204 status line and headers, no body and no Content-Length.
        string path = TestSigning.StatementsPath() + "B/";
        var auth = await TestSigning.AwsSdkSignAsync(HttpMethod.Delete, new Uri(served.Endpoint, path), new Dictionary<string, string> { ["Host"] = served.Endpoint.Authority }, []);
        string head = $"DELETE {path} HTTP/1.1\r\nHost: {served.Endpoint.Authority}\r\n" + string.Concat(auth.Select(h => $"{h.Key}: {h.Value}\r\n")) + "\r\n";
        await client.CreateResourcePolicyStatementAsync(Role("B"));
        var raw = await RawHttp.SendAsync(served.Endpoint, head);
        Assert.Equal(204, raw!.Status);
        Assert.Empty(raw.Body);
        Assert.Null(raw.Header("Content-Length"));
        Assert.NotNull(raw.Header("x-amzn-RequestId"));
    }

    [Fact]
    public void TestingReadme_SaysTheDeletesAnswer204WithoutABody_AndShowsHowToGetTheNewRevision()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "LexV2.ResourcePolicy.Testing", "README.md"));
        int section = readme.IndexOf("204", StringComparison.Ordinal);
        Assert.True(section >= 0, "the Testing README does not say that the deletes answer 204");
        Assert.Matches(@"DeleteResourcePolicy(Statement)?Async[\s\S]*DescribeResourcePolicyAsync[\s\S]*RevisionId", readme[section..]);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LexV2.ResourcePolicy.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (LexV2.ResourcePolicy.sln) is not above " + AppContext.BaseDirectory);
    }
}
