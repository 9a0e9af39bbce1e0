namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// What <c>EnsureStatementAsync</c> and <c>RemoveStatementAsync</c> promise when concurrent writers never let them finish:
/// after <see cref="LexPolicyClientExtensions.MaxRounds"/> read-modify-write rounds, one exception type,
/// <see cref="ConflictException"/>, whatever the last answer was (409 or 412, or 404 for a statement removed meanwhile),
/// with that answer as its inner exception. And <see cref="StatementChangeResult.Rounds"/> counts those rounds, not HTTP attempts.
/// </summary>
public class StatementChangeContractTests
{
    private static readonly BotAliasArn Alias = BotAliasArn.Parse("arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID");

    private static readonly CreateResourcePolicyStatementRequest Grant = LexGrant.IamPrincipal(Alias, "arn:aws:iam::123456789012:role/app", "App");

    /// <summary>
    /// A policy that always holds another writer's statement (and, for removal, the one to remove), and every write answered by
    /// <see cref="Refusal"/>: a writer that changes the policy between each read and write.
    /// </summary>
    private sealed class EverChangingPolicy(Func<LexPolicyException> refusal) : ILexPolicyClient
    {
        private int _revision;

        public int Writes;

        public Func<LexPolicyException> Refusal { get; } = refusal;

        public Task<DescribeResourcePolicyResponse> DescribeResourcePolicyAsync(DescribeResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new DescribeResourcePolicyResponse
            {
                ResourceArn = request.ResourceArn,
                RevisionId = Interlocked.Increment(ref _revision).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Policy = $$"""{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/other"},"Action":"lex:DescribeBot","Resource":"{{request.ResourceArn}}"},{"Sid":"Gone","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/gone"},"Action":"lex:DescribeBot","Resource":"{{request.ResourceArn}}"}]}""",
            });

        public Task<CreateResourcePolicyStatementResponse> CreateResourcePolicyStatementAsync(CreateResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) => Refuse<CreateResourcePolicyStatementResponse>();

        public Task<DeleteResourcePolicyStatementResponse> DeleteResourcePolicyStatementAsync(DeleteResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) => Refuse<DeleteResourcePolicyStatementResponse>();

        public Task<UpdateResourcePolicyResponse> UpdateResourcePolicyAsync(UpdateResourcePolicyRequest request, CancellationToken cancellationToken = default) => Refuse<UpdateResourcePolicyResponse>();

        public Task<CreateResourcePolicyResponse> CreateResourcePolicyAsync(CreateResourcePolicyRequest request, CancellationToken cancellationToken = default) => Refuse<CreateResourcePolicyResponse>();

        public Task<DeleteResourcePolicyResponse> DeleteResourcePolicyAsync(DeleteResourcePolicyRequest request, CancellationToken cancellationToken = default) => Refuse<DeleteResourcePolicyResponse>();

        private Task<T> Refuse<T>()
        {
            Interlocked.Increment(ref Writes);
            return Task.FromException<T>(Refusal());
        }
    }

    public static TheoryData<string> EnsureRefusals => new() { "409", "412" };

    private static LexPolicyException Refusal(string status) => status switch
    {
        "409" => new ConflictException("The statement id App already exists.", "req-409") { Attempts = 1 },
        "412" => new PreconditionFailedException("The revision id does not match.", "req-412") { Attempts = 1 },
        _ => new ResourceNotFoundException("The statement Gone does not exist.", "req-404") { Attempts = 1 },
    };

    [Theory]
    [MemberData(nameof(EnsureRefusals))]
    public async Task Ensure_AfterMaxRoundsOfConcurrentWriters_ThrowsConflictException_WithTheLastAnswerInside(string status)
    {
        var client = new EverChangingPolicy(() => Refusal(status));

        var e = await Assert.ThrowsAsync<ConflictException>(() => client.EnsureStatementAsync(Grant));

        Assert.Equal(LexPolicyClientExtensions.MaxRounds, client.Writes);
        Assert.Equal(Refusal(status).GetType(), e.InnerException!.GetType());
        Assert.Equal("req-" + status, e.RequestId);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, e.StatusCode);
        Assert.Contains($"{LexPolicyClientExtensions.MaxRounds} rounds", e.Message, StringComparison.Ordinal);
        Assert.Contains(Alias.ToString(), e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> RemoveRefusals => new() { "412", "404" };

    [Theory]
    [MemberData(nameof(RemoveRefusals))]
    public async Task Remove_AfterMaxRoundsOfConcurrentWriters_ThrowsConflictException_WithTheLastAnswerInside(string status)
    {
        var client = new EverChangingPolicy(() => Refusal(status));

        var e = await Assert.ThrowsAsync<ConflictException>(() => client.RemoveStatementAsync(Alias, "Gone"));

        Assert.Equal(LexPolicyClientExtensions.MaxRounds, client.Writes);
        Assert.Equal(Refusal(status).GetType(), e.InnerException!.GetType());
        Assert.Contains($"{LexPolicyClientExtensions.MaxRounds} rounds", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rounds_CountsReadModifyWriteRounds_NotHttpAttempts()
    {
        var emulator = new LexPolicyEmulator();
        using var client = emulator.CreateClient(o => (o.BaseRetryDelay, o.MaxRetryDelay) = (TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)));
        emulator.Faults.FailNext(2, System.Net.HttpStatusCode.ServiceUnavailable); // the first read takes 3 HTTP attempts

        var result = await client.EnsureStatementAsync(Grant);

        Assert.Equal(StatementChange.Added, result.Change);
        Assert.Equal(1, result.Rounds);
        Assert.Equal(4, emulator.Requests.Count);
    }
}
