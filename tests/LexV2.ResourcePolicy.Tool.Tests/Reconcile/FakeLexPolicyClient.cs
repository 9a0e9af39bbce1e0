using System.Collections.Concurrent;
using System.Globalization;

namespace LexV2.ResourcePolicy.Tool.Tests.Reconcile;

/// <summary>
/// A hand-written <see cref="ILexPolicyClient"/> holding whole policies per ARN with revisions, as a consumer would write one:
/// it records every call, can delay calls (to observe concurrency) and lets a test fail or intercept a call.
/// </summary>
internal sealed class FakeLexPolicyClient : ILexPolicyClient
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (string Policy, int Revision)> _policies = new(StringComparer.Ordinal);
    private int _inFlight;

    public ConcurrentQueue<string> Calls { get; } = new();

    public TimeSpan Delay { get; set; }

    /// <summary>Answer Describe without a revision id, as a broken proxy might.</summary>
    public bool OmitRevision { get; set; }

    public int MaxInFlight { get; private set; }

    /// <summary>Runs before each call (operation, ARN); throw from it to fail the call.</summary>
    public Action<string, string>? Before { get; set; }

    /// <summary>Awaited before each call (operation, ARN, the call's token): hold a call in flight, or fail it.</summary>
    public Func<string, string, CancellationToken, Task>? BeforeAsync { get; set; }

    public void Seed(string arn, string policy, int revision = 1)
    {
        lock (_gate)
        {
            _policies[arn] = (policy, revision);
        }
    }

    public (string Policy, int Revision)? Get(string arn)
    {
        lock (_gate)
        {
            return _policies.TryGetValue(arn, out var p) ? p : null;
        }
    }

    public Task<DescribeResourcePolicyResponse> DescribeResourcePolicyAsync(DescribeResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        Call("Describe", request.ResourceArn, () =>
            _policies.TryGetValue(request.ResourceArn, out var p)
                ? new DescribeResourcePolicyResponse { ResourceArn = request.ResourceArn, Policy = p.Policy, RevisionId = OmitRevision ? null : Rev(p.Revision) }
                : throw new ResourceNotFoundException("no policy"),
            cancellationToken);

    public Task<CreateResourcePolicyResponse> CreateResourcePolicyAsync(CreateResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        Call("Create", request.ResourceArn, () =>
        {
            if (_policies.ContainsKey(request.ResourceArn))
            {
                throw new PreconditionFailedException("a policy exists");
            }

            _policies[request.ResourceArn] = (request.Policy, 1);
            return new CreateResourcePolicyResponse { ResourceArn = request.ResourceArn, RevisionId = "1" };
        }, cancellationToken);

    public Task<UpdateResourcePolicyResponse> UpdateResourcePolicyAsync(UpdateResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        Call("Update", request.ResourceArn, () =>
        {
            var p = Current(request.ResourceArn, request.ExpectedRevisionId);
            _policies[request.ResourceArn] = (request.Policy, p.Revision + 1);
            return new UpdateResourcePolicyResponse { ResourceArn = request.ResourceArn, RevisionId = Rev(p.Revision + 1) };
        }, cancellationToken);

    public Task<DeleteResourcePolicyResponse> DeleteResourcePolicyAsync(DeleteResourcePolicyRequest request, CancellationToken cancellationToken = default) =>
        Call("Delete", request.ResourceArn, () =>
        {
            Current(request.ResourceArn, request.ExpectedRevisionId);
            _policies.Remove(request.ResourceArn);
            return new DeleteResourcePolicyResponse();
        }, cancellationToken);

    public Task<CreateResourcePolicyStatementResponse> CreateResourcePolicyStatementAsync(CreateResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The reconciler writes whole documents; it must not add single statements.");

    public Task<DeleteResourcePolicyStatementResponse> DeleteResourcePolicyStatementAsync(DeleteResourcePolicyStatementRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The reconciler writes whole documents; it must not delete single statements.");

    private (string Policy, int Revision) Current(string arn, string? expected)
    {
        if (!_policies.TryGetValue(arn, out var p))
        {
            throw new ResourceNotFoundException("no policy");
        }

        if (expected is null)
        {
            throw new InvalidOperationException("A write without ExpectedRevisionId: the reconciler must never overwrite blindly.");
        }

        return expected == Rev(p.Revision) ? p : throw new PreconditionFailedException($"revision is {p.Revision}, not {expected}");
    }

    private async Task<T> Call<T>(string operation, string arn, Func<T> body, CancellationToken cancellationToken)
    {
        Calls.Enqueue(operation + " " + arn);
        lock (_gate)
        {
            MaxInFlight = Math.Max(MaxInFlight, ++_inFlight);
        }

        try
        {
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, CancellationToken.None);
            }

            if (BeforeAsync is { } before)
            {
                await before(operation, arn, cancellationToken);
            }

            Before?.Invoke(operation, arn);
            lock (_gate)
            {
                return body();
            }
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
            }
        }
    }

    private static string Rev(int revision) => revision.ToString(CultureInfo.InvariantCulture);
}
