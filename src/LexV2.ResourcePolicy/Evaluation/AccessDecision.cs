using System.Text;

namespace LexV2.ResourcePolicy;

/// <summary>The outcome of <see cref="PolicyEvaluator.Evaluate"/>.</summary>
public enum AccessDecisionKind
{
    /// <summary>A policy allows the request and none denies it.</summary>
    Allowed = 0,

    /// <summary>No policy (or not every policy the request needs) allows it, and none denies it: the default deny.</summary>
    ImplicitlyDenied = 1,

    /// <summary>A statement with <c>"Effect": "Deny"</c> applies to the request; that wins over every Allow.</summary>
    ExplicitlyDenied = 2,
}

/// <summary>How one statement of one policy fared against a request.</summary>
public sealed record StatementEvaluation
{
    /// <summary>Which policy: <c>resource</c>, or <c>identity[N]</c> for the N-th of <see cref="AccessRequest.IdentityPolicies"/>.</summary>
    public required string Policy { get; init; }

    /// <summary>The statement's position in its policy, from 0.</summary>
    public int Index { get; init; }

    /// <summary>The statement id, if it has one.</summary>
    public string? Sid { get; init; }

    /// <summary>Allow or Deny.</summary>
    public required Effect Effect { get; init; }

    /// <summary>Whether the statement applies to the request: principal, action, resource and every condition match.</summary>
    public required bool Matched { get; init; }

    /// <summary>When not matched: the first element that failed, <c>Principal</c>, <c>Action</c>, <c>Resource</c> or <c>Condition</c> (checked in that order).</summary>
    public string? Element { get; init; }

    /// <summary>
    /// When not matched: why, in one sentence, e.g. <c>Condition ArnEquals aws:SourceArn: expected
    /// arn:aws:connect:us-east-1:123456789012:instance/abc, the request has arn:aws:connect:us-east-1:123456789012:instance/zzz</c>.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>How the statement is named in explanations: <c>resource statement 0 "AllowConnect"</c>.</summary>
    /// <returns>The name.</returns>
    public override string ToString() =>
        $"{Policy} statement {Index}{(Sid is null ? string.Empty : $" \"{Sid}\"")} ({Effect}): " + (Matched ? "matched" : "not matched: " + Reason);

    internal string Name => $"{Policy} statement {Index}{(Sid is null ? string.Empty : $" \"{Sid}\"")}";
}

/// <summary>
/// The decision for an <see cref="AccessRequest"/>, and why. <see cref="Decision"/> is known at once; the per-statement account
/// (<see cref="Statements"/>, <see cref="Summary"/>, <see cref="MissingContextKeys"/>, <see cref="Explain"/>) is built the
/// first time one of them is read, so a caller that only needs the verdict pays for nothing else.
/// </summary>
public sealed record AccessDecision
{
    private readonly PolicyDocument? _policy;
    private readonly AccessRequest? _request;
    private Explanation? _explanation;

    /// <summary>Creates a decision with its account given, e.g. for a test double of code that evaluates access.</summary>
    /// <param name="decision">The decision.</param>
    /// <param name="summary">One sentence: why.</param>
    /// <param name="statements">The statements and how each fared.</param>
    /// <param name="missingContextKeys">The context keys the policies use that the request did not supply.</param>
    public AccessDecision(AccessDecisionKind decision, string summary, IReadOnlyList<StatementEvaluation> statements, IReadOnlyList<string>? missingContextKeys = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(statements);
        Decision = decision;
        _explanation = new Explanation(statements, summary, missingContextKeys ?? []);
    }

    internal AccessDecision(AccessDecisionKind decision, PolicyDocument policy, AccessRequest request)
    {
        Decision = decision;
        _policy = policy;
        _request = request;
    }

    /// <summary>Allowed, implicitly denied or explicitly denied.</summary>
    public AccessDecisionKind Decision { get; }

    /// <summary>Whether <see cref="Decision"/> is <see cref="AccessDecisionKind.Allowed"/>.</summary>
    public bool IsAllowed => Decision == AccessDecisionKind.Allowed;

    /// <summary>
    /// One sentence: the decision and what decided it, e.g. <c>Implicitly denied: no statement of the resource policy allows the
    /// service principal connect.amazonaws.com.</c> Built when first read.
    /// </summary>
    public string Summary => Explained.Summary;

    /// <summary>Every statement of the resource policy, then of each identity policy, and how each fared. Built when first read.</summary>
    public IReadOnlyList<StatementEvaluation> Statements => Explained.Statements;

    /// <summary>
    /// The condition keys (and policy variables) the evaluated policies use that the request's context does not supply, in the
    /// order they first appear; often the reason a condition failed. Built when first read.
    /// </summary>
    public IReadOnlyList<string> MissingContextKeys => Explained.MissingContextKeys;

    private Explanation Explained => _explanation ??= PolicyEvaluator.Explain(Decision, _policy!, _request!);

    /// <summary>
    /// A human-readable account: the summary, the request, one line per statement (matched, or the first reason it did not
    /// match), and the context keys the policies use that the request did not supply.
    /// </summary>
    /// <returns>The text, lines separated by <c>\n</c>.</returns>
    public string Explain()
    {
        var sb = new StringBuilder().Append(Summary);
        if (_request is { } r)
        {
            sb.Append("\nRequest: ").Append(r.Principal).Append(" calls ").Append(r.Action).Append(" on ").Append(r.Resource);
        }

        foreach (var s in Statements)
        {
            sb.Append("\n  ").Append(s);
        }

        if (MissingContextKeys.Count > 0)
        {
            sb.Append("\nContext keys the policies use that the request did not supply: ").Append(string.Join(", ", MissingContextKeys));
        }

        return sb.ToString();
    }

    /// <summary>Compares the decision and its account.</summary>
    /// <param name="other">The other decision.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(AccessDecision? other) =>
        other is not null && Decision == other.Decision && Summary == other.Summary &&
        Statements.SequenceEqual(other.Statements) && MissingContextKeys.SequenceEqual(other.MissingContextKeys, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Decision);

    /// <summary>The <see cref="Summary"/>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => Summary;
}

/// <summary>The lazily built account of a decision.</summary>
internal sealed record Explanation(IReadOnlyList<StatementEvaluation> Statements, string Summary, IReadOnlyList<string> MissingContextKeys);
