using System.Text;

namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>
/// The policies a set of bots and bot aliases should have: the input of <see cref="PolicyReconciler.PlanAsync"/>. Built in code,
/// or read from a desired-state file (<see cref="Parse"/>) whose members mirror the API's (<c>resourceArn</c>,
/// <c>statementId</c>, <c>effect</c>, <c>principal</c>, <c>action</c>, <c>condition</c>) plus <c>resources</c>, <c>prune</c>
/// and <c>expect</c> (access expectations).
/// </summary>
public sealed record DesiredState
{
    /// <summary>The resources, each with the statements its policy should hold.</summary>
    public required IReadOnlyList<DesiredResource> Resources { get; init; }

    /// <summary>
    /// Reads a desired-state file. Strict: an unknown member, a wrong type, a missing required member or malformed JSON is an
    /// error naming the JSON path. Does not check the statements' rules: call <see cref="Validate"/> for that.
    /// </summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Where it came from (a file name), used in error messages.</param>
    /// <returns>The desired state.</returns>
    /// <exception cref="DesiredStateException">The text is not a valid desired-state document.</exception>
    public static DesiredState Parse(string json, string? source = null) => DesiredStateFile.Parse(json ?? throw new ArgumentNullException(nameof(json)), source);

    /// <summary>Writes the desired state as a desired-state file (indented JSON, the API's member names), e.g. to start one from code.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => DesiredStateFile.Write(this);

    /// <summary>
    /// Checks the desired state before anything is sent: every resource ARN is a Lex V2 bot or bot-alias ARN and appears once,
    /// statement ids are unique per resource, and every statement passes the client's request validation (lengths, patterns,
    /// one of service or arn per principal, no cross-account principal, the two conditions of a service principal). With
    /// <paramref name="lint"/>, the <see cref="PolicyLinter"/>'s findings are problems too.
    /// </summary>
    /// <param name="lint">Also report linter findings (misspelled or inapplicable actions, wildcard principals, other accounts).</param>
    /// <returns>Every problem, with the JSON path of the member (e.g. <c>$.resources[0].statements[1].action[0]</c>); empty when valid.</returns>
    public IReadOnlyList<DesiredStateProblem> Validate(bool lint = false)
    {
        var problems = new List<DesiredStateProblem>();
        var arns = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Resources is null)
        {
            problems.Add(new("$.resources", "is required"));
            return problems;
        }

        for (int i = 0; i < Resources.Count; i++)
        {
            string at = $"$.resources[{i}]";
            if (Resources[i] is not { } resource)
            {
                problems.Add(new(at, "must not be null"));
                continue;
            }

            if (!LexResourceArn.TryParse(resource.ResourceArn, out _, out string? arnError))
            {
                problems.Add(new(at + ".resourceArn", arnError));
            }
            else if (!arns.TryAdd(resource.ResourceArn, i))
            {
                problems.Add(new(at + ".resourceArn", $"'{resource.ResourceArn}' is already listed at $.resources[{arns[resource.ResourceArn]}]; list each resource once"));
            }

            ValidateStatements(problems, resource, at, lint);
            problems.AddRange(AccessExpectations.Problems(resource, at));
        }

        return problems;
    }

    private static void ValidateStatements(List<DesiredStateProblem> problems, DesiredResource resource, string at, bool lint)
    {
        if (resource.Statements is null)
        {
            problems.Add(new(at + ".statements", "is required (an empty list, with prune, removes every statement)"));
            return;
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < resource.Statements.Count; j++)
        {
            string st = $"{at}.statements[{j}]";
            if (resource.Statements[j] is not { } statement)
            {
                problems.Add(new(st, "must not be null"));
                continue;
            }

            if (!string.Equals(statement.ResourceArn, resource.ResourceArn, StringComparison.Ordinal))
            {
                problems.Add(new(st + ".resourceArn", $"is '{statement.ResourceArn}' but the statement is listed under '{resource.ResourceArn}'"));
            }

            if (statement.StatementId is { } sid && !ids.TryAdd(sid, j))
            {
                problems.Add(new(st + ".statementId", $"duplicate statementId '{sid}' (also at {at}.statements[{ids[sid]}]); statement ids are unique within a policy"));
            }

            try
            {
                Validation.RequestValidator.Validate(statement with { ResourceArn = resource.ResourceArn ?? statement.ResourceArn, ExpectedRevisionId = null });
            }
            catch (RequestValidationException e)
            {
                problems.AddRange(e.Violations
                    .Where(v => !v.MemberPath.StartsWith(nameof(statement.ResourceArn), StringComparison.Ordinal))
                    .Select(v => new DesiredStateProblem(st + "." + ToJsonPath(v.MemberPath), v.Rule)));
            }

            if (lint)
            {
                problems.AddRange(PolicyLinter.Lint(statement).Select(f => new DesiredStateProblem(st + "." + ToJsonPath(f.MemberPath), $"{f.Kind}: {f.Message}", IsLintFinding: true)));
            }
        }
    }

    /// <summary>Turns a request member path (<c>Principal[1].Arn</c>) into the file's JSON path (<c>principal[1].arn</c>).</summary>
    internal static string ToJsonPath(string memberPath)
    {
        var sb = new StringBuilder(memberPath.Length);
        bool quoted = false;
        for (int i = 0; i < memberPath.Length; i++)
        {
            char c = memberPath[i];
            quoted ^= c == '"';
            sb.Append(!quoted && (i == 0 || memberPath[i - 1] == '.') ? char.ToLowerInvariant(c) : c);
        }

        return sb.ToString();
    }
}

/// <summary>One bot or bot alias and the statements its resource policy should hold.</summary>
public sealed record DesiredResource
{
    /// <summary>The bot or bot-alias ARN.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>
    /// Remove the statements of the current policy that <see cref="Statements"/> does not name (statements without an id
    /// included). Without it, such statements are left alone. Default: <see langword="false"/>.
    /// </summary>
    public bool Prune { get; init; }

    /// <summary>
    /// The statements, as the requests that would add them; each one's <c>ResourceArn</c> must be <see cref="ResourceArn"/>, and
    /// its <c>ExpectedRevisionId</c> is ignored (the engine uses the revision it read). <see cref="LexGrant"/> builds common ones.
    /// </summary>
    public required IReadOnlyList<CreateResourcePolicyStatementRequest> Statements { get; init; }

    /// <summary>
    /// Access expectations (<c>"expect"</c> in the file): requests that must be allowed, denied or explicitly denied by the policy
    /// the resource has after apply (statements the desired state does not manage included). A plan whose expectations do not
    /// hold is not applied. Default: none.
    /// </summary>
    public IReadOnlyList<AccessExpectation> Expect { get; init; } = [];
}

/// <summary>One problem in a desired state or a plan file.</summary>
/// <param name="Path">The JSON path of the member, e.g. <c>$.resources[0].statements[1].statementId</c>.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="IsLintFinding">Whether it is a <see cref="PolicyLinter"/> finding rather than a broken rule.</param>
public sealed record DesiredStateProblem(string Path, string Message, bool IsLintFinding = false)
{
    /// <inheritdoc/>
    public override string ToString() => Path + ": " + Message;
}

/// <summary>A desired-state or plan document that cannot be used; <see cref="Problems"/> lists every problem with its JSON path.</summary>
public sealed class DesiredStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fileName">The file (or other source) the document came from; <see langword="null"/> when unknown.</param>
    /// <param name="problems">The problems (at least one).</param>
    public DesiredStateException(string? fileName, IReadOnlyList<DesiredStateProblem> problems)
        : this(fileName, problems, null)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="fileName">The file (or other source) the document came from; <see langword="null"/> when unknown.</param>
    /// <param name="problems">The problems (at least one).</param>
    /// <param name="innerException">The cause, e.g. the JSON reader's error.</param>
    public DesiredStateException(string? fileName, IReadOnlyList<DesiredStateProblem> problems, Exception? innerException)
        : base(BuildMessage(fileName, problems), innerException)
    {
        FileName = fileName;
        Problems = problems;
    }

    /// <summary>The file (or other source) the document came from; <see langword="null"/> when unknown.</summary>
    public string? FileName { get; }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<DesiredStateProblem> Problems { get; }

    private static string BuildMessage(string? source, IReadOnlyList<DesiredStateProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        string prefix = source is null ? string.Empty : source + ": ";
        return problems.Count == 1
            ? prefix + problems[0]
            : $"{prefix}{problems.Count} problems:" + string.Concat(problems.Select(p => "\n - " + p));
    }
}
