namespace LexV2.ResourcePolicy;

/// <summary>What a <see cref="PolicyFinding"/> is about.</summary>
public enum PolicyFindingKind
{
    /// <summary>The action is not a Lex V2 action (often a misspelling; the message suggests the closest one).</summary>
    UnknownAction = 0,

    /// <summary>The action does not apply to the resource's type (a runtime action on a bot, a bot-building action on an alias).</summary>
    ActionNotApplicableToResource = 1,

    /// <summary>
    /// An Allow for anyone: the principal is <c>*</c>, or the statement uses <c>NotPrincipal</c> (everyone but those listed);
    /// refused in every write (the message names the rule). A Deny for everyone is not a finding in a document; in a statement
    /// request a <c>*</c> principal is one in either effect, as the statement API cannot express it.
    /// </summary>
    WildcardPrincipal = 2,

    /// <summary>A service principal's <c>aws:SourceAccount</c> or <c>aws:SourceArn</c> names another account than the resource's.</summary>
    SourceAccountMismatch = 3,

    /// <summary>
    /// The condition key is not one a Lex V2 request carries (often a misspelled AWS global key such as <c>aws:SoruceArn</c>; the
    /// message suggests the closest one): the condition can never match.
    /// </summary>
    UnknownConditionKey = 4,

    /// <summary>The condition operator is not in the IAM grammar (<c>StringEqualz</c>; the message suggests the closest one). Documents only: the request validator reports it for statements.</summary>
    InvalidConditionOperator = 5,

    /// <summary>A condition value is not of its operator's type (a word for <c>NumericLessThan</c>). Documents only: the request validator reports it for statements.</summary>
    InvalidConditionValue = 6,
}

/// <summary>One problem the <see cref="PolicyLinter"/> found.</summary>
/// <param name="Kind">What it is about.</param>
/// <param name="MemberPath">Where, e.g. <c>Action[1]</c> or <c>Statement[0].Principal</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record PolicyFinding(PolicyFindingKind Kind, string MemberPath, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Kind} at {MemberPath}: {Message}";
}

/// <summary>
/// Finds the mistakes behind "policy isn't valid" and over-broad grants before a statement is sent: unknown or misspelled
/// Lex actions, actions that do not apply to the resource type, wildcard principals, service-principal conditions that
/// name another account, and condition keys no Lex request carries (<c>aws:SoruceArn</c>); in whole documents also condition
/// operators outside the IAM grammar and values of the wrong type. Uses the embedded action table (<c>lex-actions.tsv</c>, with
/// its source and date) and the table of AWS global condition keys.
/// </summary>
public static class PolicyLinter
{
    /// <summary>Lints a statement request.</summary>
    /// <param name="request">The statement.</param>
    /// <returns>The findings; empty when none.</returns>
    public static IReadOnlyList<PolicyFinding> Lint(CreateResourcePolicyStatementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var findings = new List<PolicyFinding>();
        LexResourceArn? arn = LexResourceArn.TryParse(request.ResourceArn, out var parsed, out _) ? parsed : null;
        Actions(findings, request.Action ?? [], arn, i => $"Action[{i}]");
        bool service = false;
        for (int i = 0; i < (request.Principal?.Count ?? 0); i++)
        {
            var p = request.Principal![i];
            if (WildcardPrincipalRule.IsWildcard(p?.Arn) || WildcardPrincipalRule.IsWildcard(p?.Service))
            {
                findings.Add(new(PolicyFindingKind.WildcardPrincipal, $"Principal[{i}]", WildcardPrincipalRule.Rule + "."));
            }

            service |= p?.Service is not null;
        }

        foreach (var (op, keys) in request.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
        {
            foreach (var (key, value) in keys ?? new Dictionary<string, string>())
            {
                string path = $"Condition[\"{op}\"][\"{key}\"]";
                UnknownKey(findings, path, key);
                if (service && arn is not null && value is not null)
                {
                    SourceAccount(findings, path, key, value, arn);
                }
            }
        }

        return findings;
    }

    /// <summary>Lints a whole resource policy document attached to <paramref name="resource"/>.</summary>
    /// <param name="document">The policy.</param>
    /// <param name="resource">The bot or bot alias it is attached to.</param>
    /// <returns>The findings; empty when none.</returns>
    public static IReadOnlyList<PolicyFinding> Lint(PolicyDocument document, LexResourceArn resource)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(resource);
        var findings = new List<PolicyFinding>();
        for (int s = 0; s < document.Statement.Count; s++)
        {
            var st = document.Statement[s];
            string at = $"Statement[{s}]";
            Actions(findings, st.Action ?? PolicyValues.Many(), resource, i => $"{at}.Action[{i}]");
            if (WildcardPrincipalRule.RefusedElement(st) is { } element)
            {
                findings.Add(new(PolicyFindingKind.WildcardPrincipal, at + "." + element, WildcardPrincipalRule.Rule + "."));
            }

            foreach (var (op, keys) in st.Condition ?? new Dictionary<string, IReadOnlyDictionary<string, PolicyValues>>())
            {
                bool known = ConditionOperator.TryParse(op, out var parsed, out string? problem);
                if (!known)
                {
                    findings.Add(new(PolicyFindingKind.InvalidConditionOperator, $"{at}.Condition.{op}", problem + "."));
                }

                foreach (var (key, values) in keys)
                {
                    string path = $"{at}.Condition.{op}.{key}";
                    UnknownKey(findings, path, key);
                    foreach (string value in values)
                    {
                        if (known && !parsed.IsValidValue(value, out string? rule))
                        {
                            findings.Add(new(PolicyFindingKind.InvalidConditionValue, path, $"'{value}' {rule} for {op}."));
                        }

                        if (st.Principal?.Service is not null)
                        {
                            SourceAccount(findings, path, key, value, resource);
                        }
                    }
                }
            }
        }

        return findings;
    }

    private static void UnknownKey(List<PolicyFinding> findings, string path, string key)
    {
        if (!string.IsNullOrEmpty(key) && ConditionKeys.Problem(key) is { } problem)
        {
            findings.Add(new(PolicyFindingKind.UnknownConditionKey, path, problem));
        }
    }

    private static void Actions(List<PolicyFinding> findings, IReadOnlyList<string> actions, LexResourceArn? arn, Func<int, string> path)
    {
        for (int i = 0; i < actions.Count; i++)
        {
            string action = actions[i];
            if (action is null || !action.StartsWith("lex:", StringComparison.OrdinalIgnoreCase))
            {
                continue; // the validator reports malformed actions
            }

            string name = action[4..];
            string[] matches = name.Contains('*', StringComparison.Ordinal) || name.Contains('?', StringComparison.Ordinal)
                ? [.. LexActions.Matching(name)]
                : LexActions.All.ContainsKey(name) ? [name] : [];
            if (matches.Length == 0)
            {
                string? closest = LexActions.Closest(name);
                findings.Add(new(PolicyFindingKind.UnknownAction, path(i),
                    $"'{action}' is not a Lex V2 action" + (closest is null ? "." : $"; did you mean 'lex:{closest}'?")));
                continue;
            }

            if (arn is null)
            {
                continue;
            }

            string type = arn.ResourceType;
            string[] applicable = [.. matches.Where(m => LexActions.All[m].Contains(type))];
            if (applicable.Length == 0)
            {
                string other = type == "bot" ? "a bot alias" : "the bot";
                findings.Add(new(PolicyFindingKind.ActionNotApplicableToResource, path(i),
                    $"'{action}' does not apply to a {type} resource" + (matches.Any(m => LexActions.All[m].Length > 0) ? $"; it applies to {other}" : string.Empty) + "."));
            }
        }
    }

    private static void SourceAccount(List<PolicyFinding> findings, string path, string key, string value, LexResourceArn arn)
    {
        if (string.Equals(key, "aws:SourceAccount", StringComparison.OrdinalIgnoreCase) && value != arn.AccountId)
        {
            findings.Add(new(PolicyFindingKind.SourceAccountMismatch, path, $"names account {value} but the resource is in account {arn.AccountId}; cross-account access cannot be granted."));
        }
        else if (string.Equals(key, "aws:SourceArn", StringComparison.OrdinalIgnoreCase) && Validation.RequestValidator.AccountOf(value) is { } account && account != arn.AccountId)
        {
            findings.Add(new(PolicyFindingKind.SourceAccountMismatch, path, $"names a resource in account {account} but the resource is in account {arn.AccountId}; cross-account access cannot be granted."));
        }
    }
}
