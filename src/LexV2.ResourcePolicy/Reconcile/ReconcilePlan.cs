using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LexV2.ResourcePolicy.Reconcile;

/// <summary>What a plan does to one statement.</summary>
public enum PlannedChange
{
    /// <summary>The statement is not in the policy and will be added (<c>+</c>).</summary>
    Add = 0,

    /// <summary>A statement with the same id differs and will be replaced (<c>~</c>).</summary>
    Replace = 1,

    /// <summary>The statement is not in the desired state of a resource that says <c>prune</c> and will be removed (<c>-</c>).</summary>
    Remove = 2,
}

/// <summary>One planned statement change.</summary>
public sealed record StatementPlan
{
    /// <summary>Add, replace or remove.</summary>
    public required PlannedChange Change { get; init; }

    /// <summary>The statement id (<see langword="null"/> only when removing a statement that has none).</summary>
    public string? StatementId { get; init; }

    /// <summary>The statement as it will be (add and replace).</summary>
    public CreateResourcePolicyStatementRequest? Desired { get; init; }

    /// <summary>The statement as it is in the current policy (replace and remove).</summary>
    public PolicyStatement? Current { get; init; }

    /// <summary>For a replacement, which members differ: <c>effect</c>, <c>principal</c>, <c>action</c>, <c>condition</c>, <c>resource</c>, or <c>other</c>.</summary>
    public IReadOnlyList<string> Differences { get; init; } = [];
}

/// <summary>The plan for one bot or bot alias: the revision it was computed from and the statement changes.</summary>
public sealed record ResourcePlan
{
    /// <summary>The bot or bot-alias ARN.</summary>
    public required string ResourceArn { get; init; }

    /// <summary>Whether statements the desired state does not name are removed.</summary>
    public bool Prune { get; init; }

    /// <summary>The revision of the policy the plan was computed from; <see langword="null"/> when the resource had no policy.</summary>
    public string? RevisionId { get; init; }

    /// <summary>
    /// The SHA-256 (hex) of the policy the plan was computed from, in canonical form; <see langword="null"/> when there was none.
    /// Checked with <see cref="RevisionId"/> before applying, so a policy deleted and re-created at the same revision number is
    /// still seen as moved.
    /// </summary>
    public string? PolicySha256 { get; init; }

    /// <summary>The changes, in the order they apply: replacements and removals where the statements are, then additions.</summary>
    public IReadOnlyList<StatementPlan> Changes { get; init; } = [];

    /// <summary>The ids of the desired statements already in place.</summary>
    public IReadOnlyList<string> Unchanged { get; init; } = [];

    /// <summary>
    /// The desired state the plan was computed from, so a moved revision can be re-planned; <see langword="null"/> for a plan
    /// read from a file, which is then refused when the revision moved.
    /// </summary>
    public DesiredResource? Desired { get; init; }

    /// <summary>Why the resource could not be planned (it is then left alone); <see langword="null"/> when it was.</summary>
    public Exception? Error { get; init; }

    /// <summary>
    /// The desired resource's access expectations evaluated against the policy it would have after this plan (empty for a plan
    /// read from a file: its expectations held when it was made, or it could not have been saved).
    /// </summary>
    public IReadOnlyList<ExpectationResult> Expectations { get; init; } = [];

    /// <summary>Whether applying the plan changes the policy.</summary>
    public bool HasChanges => Changes.Count > 0;

    /// <summary>How many statements are added.</summary>
    public int Additions => Changes.Count(c => c.Change == PlannedChange.Add);

    /// <summary>How many statements are replaced.</summary>
    public int Replacements => Changes.Count(c => c.Change == PlannedChange.Replace);

    /// <summary>How many statements are removed.</summary>
    public int Removals => Changes.Count(c => c.Change == PlannedChange.Remove);
}

/// <summary>
/// A reconcile plan: per resource, the statements to add, replace and remove and the revision each was computed from. Made by
/// <see cref="PolicyReconciler.PlanAsync"/>, applied by <see cref="PolicyReconciler.ApplyAsync"/>; <see cref="ToJson"/> saves it
/// (a versioned JSON document with the <see cref="Target"/> it was made against and its own <see cref="Sha256"/>) and
/// <see cref="Parse"/> reads it back, refusing a file whose content no longer matches its hash, for review in one pipeline step
/// and apply in the next.
/// </summary>
public sealed class ReconcilePlan
{
    /// <summary>The version of the plan file format <see cref="ToJson"/> writes and <see cref="Parse"/> reads.</summary>
    public const int FormatVersion = 2;

    private string? _sha256;

    /// <summary>Creates a plan.</summary>
    /// <param name="resources">The per-resource plans.</param>
    /// <param name="createdAt">When the plan was made.</param>
    public ReconcilePlan(IReadOnlyList<ResourcePlan> resources, DateTimeOffset createdAt)
    {
        Resources = resources ?? throw new ArgumentNullException(nameof(resources));
        CreatedAt = createdAt;
    }

    /// <summary>The per-resource plans, in the order of the desired state.</summary>
    public IReadOnlyList<ResourcePlan> Resources { get; }

    /// <summary>When the plan was made.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// The linter's findings on the desired state the plan was made from (misspelled or inapplicable actions, wildcard
    /// principals, ...): not errors, but worth a reviewer's look. Empty when there are none.
    /// </summary>
    public IReadOnlyList<DesiredStateProblem> Warnings { get; init; } = [];

    /// <summary>
    /// Where the plan is to be applied (endpoint per region, accounts); recorded in the saved plan so that applying it elsewhere
    /// can be refused. <see langword="null"/> until the caller sets it (the reconciler does not know its client's endpoints).
    /// </summary>
    public PlanTarget? Target { get; init; }

    /// <summary>What made the plan, e.g. <c>lexpolicy 1.2.0</c>; recorded in the saved plan. Optional.</summary>
    public string? Generator { get; init; }

    /// <summary>
    /// The SHA-256 (lower-case hex) of the plan's canonical content: the plan file without its <c>sha256</c> member, members sorted,
    /// no insignificant whitespace. <see cref="ToJson"/> writes it into the file; for a plan read with <see cref="Parse"/> it is the
    /// hash the file carries, checked against its content. Anyone can recompute an unkeyed hash, so to tie an apply to the plan a
    /// reviewer saw, compare this with the hash the reviewer was shown.
    /// </summary>
    public string Sha256 => _sha256 ??= CanonicalJson.Sha256(Serialize(withHash: null, indented: false), "sha256");

    /// <summary>Whether applying the plan changes any policy.</summary>
    public bool HasChanges => Resources.Any(r => r.HasChanges);

    /// <summary>Whether some resource could not be planned (see <see cref="ResourcePlan.Error"/>).</summary>
    public bool HasErrors => Resources.Any(r => r.Error is not null);

    /// <summary>The access expectations that do not hold for the planned policies (see <see cref="ResourcePlan.Expectations"/>).</summary>
    public IReadOnlyList<ExpectationResult> FailedExpectations => [.. Resources.SelectMany(r => r.Expectations).Where(e => !e.Holds)];

    /// <summary>
    /// Writes the plan file: <c>formatVersion</c>, <c>createdAt</c>, <c>generator</c>, the <c>target</c> (endpoint per region and
    /// account ids), the linter's <c>warnings</c>, per resource its ARN, <c>prune</c>, the <c>revisionId</c> and
    /// <c>policySha256</c> it was computed from, the exact <c>changes</c> (with the statements in the API's member names) and the
    /// <c>unchanged</c> statement ids, and last the plan's <c>sha256</c> (see <see cref="Sha256"/>). A resource that could not be
    /// planned is written with its <c>error</c>; <see cref="Parse"/> refuses such a plan.
    /// </summary>
    /// <returns>The JSON text (indented).</returns>
    /// <exception cref="AccessExpectationException">An access expectation does not hold; such a plan cannot be saved.</exception>
    public string ToJson() => FailedExpectations is { Count: > 0 } unmet ? throw new AccessExpectationException(unmet) : Serialize(Sha256, indented: true);

    private string Serialize(string? withHash, bool indented)
    {
        var file = new PlanFile
        {
            FormatVersion = FormatVersion,
            CreatedAt = CreatedAt,
            Generator = Generator,
            Target = Target is null ? null : new PlanTargetEntry
            {
                Endpoints = Target.Endpoints.ToDictionary(e => e.Key, e => e.Value.AbsoluteUri, StringComparer.Ordinal),
                AccountIds = [.. Target.AccountIds],
            },
            Warnings = Warnings.Count == 0 ? null : [.. Warnings.Select(w => (PlanWarningEntry?)new PlanWarningEntry { Path = w.Path, Message = w.Message })],
            Resources = [.. Resources.Select(r => (PlanResourceEntry?)new PlanResourceEntry
            {
                ResourceArn = r.ResourceArn,
                Prune = r.Prune,
                RevisionId = r.RevisionId,
                PolicySha256 = r.PolicySha256,
                Unchanged = [.. r.Unchanged],
                Changes = [.. r.Changes.Select(c => (PlanChangeEntry?)new PlanChangeEntry
                {
                    Change = c.Change switch { PlannedChange.Add => "add", PlannedChange.Replace => "replace", _ => "remove" },
                    StatementId = c.StatementId,
                    Statement = c.Desired is null ? null : StatementEntry.From(c.Desired),
                    Current = c.Current is null ? null : ToElement(c.Current),
                })],
                Error = r.Error is null ? null : new PlanErrorEntry { Code = (r.Error as LexPolicyException)?.ErrorCode ?? r.Error.GetType().Name, Message = r.Error.Message },
            })],
            Sha256 = withHash,
        };
        return JsonSerializer.Serialize(file, indented ? ReconcileJson.Files.PlanFile : ReconcileJson.Compact.PlanFile);
    }

    /// <summary>
    /// Reads a plan file written by <see cref="ToJson"/>, after checking that its content matches its <c>sha256</c>. The plan
    /// carries no desired state, so applying it refuses every resource whose revision moved since the plan was made (see
    /// <see cref="PolicyReconciler.ApplyAsync"/>).
    /// </summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Where it came from (a file name), used in error messages.</param>
    /// <returns>The plan, with <see cref="Sha256"/>, <see cref="Target"/>, <see cref="Generator"/> and <see cref="Warnings"/> as recorded.</returns>
    /// <exception cref="DesiredStateException">The text is not a valid plan file of this format version, or holds a resource that could not be planned; the problems name JSON paths.</exception>
    /// <exception cref="PlanIntegrityException">The content does not match the plan's <c>sha256</c> (it was changed after the plan was made), or the hash is missing.</exception>
    public static ReconcilePlan Parse(string json, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var file = ReconcileJson.Deserialize(json, ReconcileJsonContext.Default.PlanFile, source);
        var problems = new List<DesiredStateProblem>();
        if (file.FormatVersion != FormatVersion)
        {
            throw new DesiredStateException(source, [new("$.formatVersion", $"is {file.FormatVersion}, but this version of the tool reads plan format {FormatVersion}; make the plan again with this version")]);
        }

        string actual;
        try
        {
            actual = CanonicalJson.Sha256(json, "sha256");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new DesiredStateException(source, [new("$", "cannot be read as JSON text: " + e.Message)], e);
        }

        if (file.Sha256 is null)
        {
            throw new PlanIntegrityException(source, null, actual);
        }

        if (!string.Equals(file.Sha256, actual, StringComparison.OrdinalIgnoreCase))
        {
            throw new PlanIntegrityException(source, file.Sha256, actual);
        }

        var resources = new List<ResourcePlan>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var arns = new List<LexResourceArn>();
        for (int i = 0; i < (file.Resources?.Count ?? 0); i++)
        {
            string at = $"$.resources[{i}]";
            if (file.Resources![i] is not { } r)
            {
                problems.Add(new(at, "must be an object, not null"));
                continue;
            }

            if (!LexResourceArn.TryParse(r.ResourceArn, out var arn, out string? arnError))
            {
                problems.Add(new(at + ".resourceArn", arnError));
                continue;
            }

            if (!seen.TryAdd(r.ResourceArn, i))
            {
                // Two entries for one resource would both be applied against the same revision: the plan is not one a plan command writes.
                problems.Add(new(at + ".resourceArn", $"names the same resource as $.resources[{seen[r.ResourceArn]}]; a plan holds each resource once"));
                continue;
            }

            arns.Add(arn);
            if (r.Error is { } error)
            {
                problems.Add(new(at + ".error", $"the resource could not be planned ({error.Code}: {error.Message}); a plan with errors cannot be applied: make a new plan"));
                continue;
            }

            if ((r.RevisionId is null) != (r.PolicySha256 is null))
            {
                problems.Add(new(at, "revisionId and policySha256 go together (both null when the resource had no policy)"));
            }

            var changes = new List<StatementPlan>();
            for (int j = 0; j < (r.Changes?.Count ?? 0); j++)
            {
                if (ReadChange(r.Changes![j], r.ResourceArn, $"{at}.changes[{j}]", problems) is { } change)
                {
                    changes.Add(change);
                }
            }

            resources.Add(new ResourcePlan
            {
                ResourceArn = r.ResourceArn,
                Prune = r.Prune,
                RevisionId = r.RevisionId,
                PolicySha256 = r.PolicySha256,
                Changes = changes,
                Unchanged = r.Unchanged ?? [],
            });
        }

        if (file.Resources is null)
        {
            problems.Add(new("$.resources", "is required"));
        }

        var target = ReadTarget(file.Target, arns, problems);
        var warnings = new List<DesiredStateProblem>();
        for (int i = 0; i < (file.Warnings?.Count ?? 0); i++)
        {
            if (file.Warnings![i] is { Path: { } path, Message: { } message })
            {
                warnings.Add(new(path, message, IsLintFinding: true));
            }
            else
            {
                problems.Add(new($"$.warnings[{i}]", "must be an object with a path and a message"));
            }
        }

        return problems.Count > 0
            ? throw new DesiredStateException(source, problems)
            : new ReconcilePlan(resources, file.CreatedAt) { Warnings = warnings, Target = target, Generator = file.Generator, _sha256 = actual };
    }

    /// <summary>The recorded target, if any, which must name exactly the regions and accounts of the plan's resources.</summary>
    private static PlanTarget? ReadTarget(PlanTargetEntry? entry, List<LexResourceArn> arns, List<DesiredStateProblem> problems)
    {
        if (entry is null)
        {
            return null; // a plan made in code without a target; the tool always records one, and refuses a plan without
        }

        if (entry.Endpoints is not { } endpoints || entry.AccountIds is not { } accounts)
        {
            problems.Add(new("$.target", "needs endpoints (one URL per region of the resources) and accountIds"));
            return null;
        }

        var urls = new SortedDictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var (region, url) in endpoints)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add(new($"$.target.endpoints['{region}']", "must be an absolute http or https URL"));
                continue;
            }

            urls[region] = uri;
        }

        string[] regions = [.. arns.Select(a => a.Region).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (!regions.SequenceEqual(endpoints.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            problems.Add(new("$.target.endpoints", $"names the regions {string.Join(", ", endpoints.Keys.Order(StringComparer.Ordinal))}, but the resources are in {string.Join(", ", regions)}"));
        }

        string[] accountIds = [.. arns.Select(a => a.AccountId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (!accountIds.SequenceEqual(accounts, StringComparer.Ordinal))
        {
            problems.Add(new("$.target.accountIds", $"is {string.Join(", ", accounts)}, but the resources are in {string.Join(", ", accountIds)}"));
        }

        return new PlanTarget { Endpoints = urls, AccountIds = accounts };
    }

    /// <summary>The SHA-256 of a policy in canonical form (parsed and written back), so formatting differences do not count.</summary>
    internal static string Digest(PolicyDocument document) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(document.ToJson()))).ToLowerInvariant();

    private static StatementPlan? ReadChange(PlanChangeEntry? c, string resourceArn, string at, List<DesiredStateProblem> problems)
    {
        if (c is null)
        {
            problems.Add(new(at, "must be an object, not null"));
            return null;
        }

        PlannedChange? kind = c.Change switch
        {
            "add" => PlannedChange.Add,
            "replace" => PlannedChange.Replace,
            "remove" => PlannedChange.Remove,
            _ => null,
        };
        if (kind is null)
        {
            problems.Add(new(at + ".change", $"must be \"add\", \"replace\" or \"remove\" (was {(c.Change is null ? "null" : "\"" + c.Change + "\"")})"));
            return null;
        }

        CreateResourcePolicyStatementRequest? desired = c.Statement?.ToRequest(resourceArn);
        if ((kind != PlannedChange.Remove) != (desired is not null))
        {
            problems.Add(new(at + ".statement", kind == PlannedChange.Remove ? "must be absent for a removal" : "is required for an addition or replacement"));
            return null;
        }

        if (desired is not null)
        {
            try
            {
                Validation.RequestValidator.Validate(desired);
            }
            catch (RequestValidationException e)
            {
                problems.AddRange(e.Violations.Select(v => new DesiredStateProblem(at + ".statement." + DesiredState.ToJsonPath(v.MemberPath), v.Rule)));
                return null;
            }

            if (c.StatementId is not null && c.StatementId != desired.StatementId)
            {
                problems.Add(new(at + ".statementId", $"is '{c.StatementId}' but the statement's is '{desired.StatementId}'"));
                return null;
            }
        }

        PolicyStatement? current = null;
        if (c.Current is { } element)
        {
            if (!PolicyDocument.TryParse("{\"Statement\":[" + element.GetRawText() + "]}", out var document, out string? error))
            {
                problems.Add(new(at + ".current", "is not an IAM policy statement: " + error));
                return null;
            }

            current = document.Statement[0];
        }

        if (kind == PlannedChange.Remove && c.StatementId is null && current is null)
        {
            problems.Add(new(at, "a removal needs a statementId or, for a statement without one, the current statement"));
            return null;
        }

        return new StatementPlan { Change = kind.Value, StatementId = c.StatementId ?? desired?.StatementId, Desired = desired, Current = current };
    }

    private static JsonElement ToElement(PolicyStatement statement)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            statement.Write(writer);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>A one-line summary, e.g. <c>2 to add, 1 to replace, 0 to remove, 3 unchanged (3 resources)</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture,
        "{0} to add, {1} to replace, {2} to remove, {3} unchanged ({4} resources{5})",
        Resources.Sum(r => r.Additions),
        Resources.Sum(r => r.Replacements),
        Resources.Sum(r => r.Removals),
        Resources.Sum(r => r.Unchanged.Count),
        Resources.Count,
        HasErrors ? $", {Resources.Count(r => r.Error is not null)} failed" : string.Empty);
}
