namespace LexV2.ResourcePolicy;

/// <summary>
/// Builds correct <see cref="CreateResourcePolicyStatementRequest"/>s for the common grants, so callers do not hand-assemble
/// principals and conditions: an AWS service acting for one of its resources (with <c>aws:SourceAccount</c> and
/// <c>aws:SourceArn</c> filled in from the source ARN), or an IAM role or user of the bot's own account.
/// </summary>
/// <remarks>
/// <para>
/// <b>Default statement ids</b> derive from what is granted, so two different grants on one resource never share an id (and
/// <see cref="LexPolicyClientExtensions.EnsureStatementAsync"/> never replaces one grant with another) unless the caller names
/// one: <c>Allow{Service}-{id}</c>, e.g. <c>AllowConnect-11111111-2222-3333-4444-555555555555</c>. <c>{Service}</c> is the
/// letters and digits of the service principal's first label, the first upper-cased (<c>Connect</c>, <c>Lambda</c>,
/// <c>Chime</c>; at most 40 characters), or for an IAM principal its type (<c>Role</c>, <c>User</c>, <c>Account</c> for the
/// root). <c>{id}</c> is the source's resource id: the part after the last <c>/</c> or <c>:</c> of the source ARN (the
/// instance id of a Connect instance, the name of a function), or of the principal ARN for IAM grants (the name of a role or
/// user, unique in an account whatever its path). It is used only where it names the source alone: when the source ARN's
/// resource part is a single <c>TYPE/ID</c> or <c>TYPE:ID</c> (a qualified function <c>function:NAME:QUALIFIER</c> or a
/// nested resource shares its last segment with others), the source is in the bot's region or has no region (a function of
/// the same name in another region is another source), and the whole statement id fits the statement-id pattern
/// <c>^([0-9a-zA-Z][_-]?)+$</c> and 100 characters. Otherwise <c>{id}</c> is the first 16 hex characters of the SHA-256 of
/// the source ARN (its UTF-8 bytes).
/// </para>
/// <para>
/// <b>Typed source ARNs</b> are checked: <see cref="ConnectInstance"/> takes only an Amazon Connect instance ARN,
/// <see cref="LambdaFunction"/> only a Lambda function ARN, <see cref="IamPrincipal"/> only an IAM role, user or account-root
/// ARN; anything else is an <see cref="ArgumentException"/> naming it.
/// </para>
/// </remarks>
public static class LexGrant
{
    /// <summary>The default actions for a bot alias: the runtime conversation APIs Amazon Connect and Lambda use.</summary>
    public static IReadOnlyList<string> DefaultBotAliasActions { get; } = ["lex:RecognizeText", "lex:StartConversation"];

    /// <summary>The default actions for a bot: reading its definition.</summary>
    public static IReadOnlyList<string> DefaultBotActions { get; } = ["lex:DescribeBot", "lex:ListBotLocales", "lex:ListBotAliases"];

    /// <summary>The default actions for a resource type.</summary>
    /// <param name="resource">The bot or bot alias.</param>
    /// <returns><see cref="DefaultBotAliasActions"/> or <see cref="DefaultBotActions"/>.</returns>
    public static IReadOnlyList<string> DefaultActionsFor(LexResourceArn resource) =>
        (resource ?? throw new ArgumentNullException(nameof(resource))) is BotAliasArn ? DefaultBotAliasActions : DefaultBotActions;

    /// <summary>Lets an AWS service use the resource on behalf of one of its own resources.</summary>
    /// <param name="resource">The bot or bot alias.</param>
    /// <param name="servicePrincipal">The service, e.g. <c>connect.amazonaws.com</c> or <c>lambda.amazonaws.com</c>.</param>
    /// <param name="sourceArn">The service's resource that will call Lex, e.g. the Connect instance ARN; it must be in the bot's account.</param>
    /// <param name="statementId">The statement id; default <c>Allow{Service}-{id}</c> (see <see cref="LexGrant"/>), e.g. <c>AllowChime-my-app</c>.</param>
    /// <param name="actions">The actions; default <see cref="DefaultActionsFor"/>.</param>
    /// <returns>The request, with <c>StringEquals aws:SourceAccount</c> and <c>ArnEquals aws:SourceArn</c> conditions.</returns>
    /// <exception cref="ArgumentException">The source ARN is malformed, or in another account or partition.</exception>
    public static CreateResourcePolicyStatementRequest ServiceAccess(LexResourceArn resource, string servicePrincipal, string sourceArn, string? statementId = null, IEnumerable<string>? actions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceArn);
        return Service(resource, servicePrincipal, sourceArn, nameof(sourceArn), statementId, actions);
    }

    /// <summary>Lets an Amazon Connect instance use a bot alias (the grant the Connect console makes).</summary>
    /// <param name="alias">The bot alias.</param>
    /// <param name="connectInstanceArn">The Connect instance ARN, <c>arn:PARTITION:connect:REGION:ACCOUNT:instance/ID</c>, in the bot's account.</param>
    /// <param name="statementId">The statement id; default <c>AllowConnect-{instance id}</c>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The ARN is not an Amazon Connect instance ARN, or is in another account or partition.</exception>
    public static CreateResourcePolicyStatementRequest ConnectInstance(BotAliasArn alias, string connectInstanceArn, string? statementId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectInstanceArn);
        string[] p = connectInstanceArn.Split(':', 6);
        if (!IsArnOf(p, "connect") || !p[5].StartsWith("instance/", StringComparison.Ordinal) || p[5].Length == "instance/".Length || p[5].IndexOf('/', "instance/".Length) >= 0)
        {
            throw new ArgumentException($"'{connectInstanceArn}' is not an Amazon Connect instance ARN (expected arn:PARTITION:connect:REGION:ACCOUNT:instance/ID).", nameof(connectInstanceArn));
        }

        return Service(alias, "connect.amazonaws.com", connectInstanceArn, nameof(connectInstanceArn), statementId, null);
    }

    /// <summary>Lets a Lambda function use a bot alias.</summary>
    /// <param name="alias">The bot alias.</param>
    /// <param name="functionArn">The function ARN, <c>arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME</c> (optionally <c>:QUALIFIER</c>), in the bot's account.</param>
    /// <param name="statementId">The statement id; default <c>AllowLambda-{function name}</c>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The ARN is not a Lambda function ARN, or is in another account or partition.</exception>
    public static CreateResourcePolicyStatementRequest LambdaFunction(BotAliasArn alias, string functionArn, string? statementId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(functionArn);
        string[] p = functionArn.Split(':', 6);
        string[] function = p.Length == 6 ? p[5].Split(':') : [];
        if (!IsArnOf(p, "lambda") || function.Length is not (2 or 3) || function[0] != "function" || function.Skip(1).Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"'{functionArn}' is not a Lambda function ARN (expected arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME, optionally with :QUALIFIER).", nameof(functionArn));
        }

        return Service(alias, "lambda.amazonaws.com", functionArn, nameof(functionArn), statementId, null);
    }

    /// <summary>Lets an IAM role or user (or the account root) of the bot's own account use the resource.</summary>
    /// <param name="resource">The bot or bot alias.</param>
    /// <param name="principalArn">The role, user or root ARN, e.g. <c>arn:aws:iam::123456789012:role/deployer</c>.</param>
    /// <param name="statementId">The statement id; default <c>AllowRole-{name}</c>, <c>AllowUser-{name}</c> or <c>AllowAccount-root</c>.</param>
    /// <param name="actions">The actions; default <see cref="DefaultActionsFor"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The ARN is not an IAM role, user or account-root ARN, or is in another account.</exception>
    public static CreateResourcePolicyStatementRequest IamPrincipal(LexResourceArn resource, string principalArn, string? statementId = null, IEnumerable<string>? actions = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(principalArn);
        string[] p = principalArn.Split(':', 6);
        string type = p.Length == 6 && p[5] == "root" ? "Account"
            : p.Length == 6 && p[5].StartsWith("role/", StringComparison.Ordinal) && !p[5].EndsWith('/') ? "Role"
            : p.Length == 6 && p[5].StartsWith("user/", StringComparison.Ordinal) && !p[5].EndsWith('/') ? "User"
            : string.Empty;
        if (p.Length != 6 || p[0] != "arn" || p[1].Length == 0 || p[2] != "iam" || p[3].Length != 0 || type.Length == 0)
        {
            throw new ArgumentException($"'{principalArn}' is not an IAM role, user or account-root ARN (expected arn:PARTITION:iam::ACCOUNT:role/NAME, :user/NAME or :root).", nameof(principalArn));
        }

        if (p[4] != resource.AccountId)
        {
            throw new ArgumentException($"The principal {principalArn} is in account {p[4]} but the bot is in account {resource.AccountId}; Lex resource policies cannot grant cross-account access.", nameof(principalArn));
        }

        return new CreateResourcePolicyStatementRequest
        {
            ResourceArn = resource,
            StatementId = statementId ?? DefaultStatementId(type, principalArn, LastSegment(principalArn)),
            Effect = Effect.Allow,
            Principal = [Principal.ForArn(principalArn)],
            Action = actions?.ToArray() ?? [.. DefaultActionsFor(resource)],
        };
    }

    /// <summary>
    /// The default statement id of a grant: <c>Allow{service}-{resourceId}</c> when there is a resource id that names the
    /// source alone and the whole id fits the statement-id pattern and 100 characters, else <c>Allow{service}-</c> and the
    /// first 16 hex characters of the SHA-256 of <paramref name="arn"/>.
    /// </summary>
    internal static string DefaultStatementId(string service, string arn, string? resourceId)
    {
        string id = "Allow" + service + "-" + resourceId;
        if (resourceId is not null && id.Length <= 100 && Validation.Patterns.IsStatementId(id))
        {
            return id;
        }

        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(arn));
        return "Allow" + service + "-" + Convert.ToHexString(hash, 0, 8).ToLowerInvariant();
    }

    private static CreateResourcePolicyStatementRequest Service(LexResourceArn resource, string servicePrincipal, string sourceArn, string parameter, string? statementId, IEnumerable<string>? actions)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(servicePrincipal);
        string service = ServiceName(servicePrincipal)
            ?? throw new ArgumentException($"'{servicePrincipal}' is not a service principal name: its first label has no letter or digit (expected a name such as connect.amazonaws.com).", nameof(servicePrincipal));
        string account = Validation.RequestValidator.AccountOf(sourceArn)
            ?? throw new ArgumentException($"'{sourceArn}' is not an ARN with an account id.", parameter);
        if (account != resource.AccountId)
        {
            throw new ArgumentException($"The source {sourceArn} is in account {account} but the bot is in account {resource.AccountId}; Lex resource policies cannot grant cross-account access.", parameter);
        }

        string partition = sourceArn.Split(':', 3)[1];
        if (partition != resource.Partition)
        {
            throw new ArgumentException($"The source {sourceArn} is in partition {partition} but the bot is in partition {resource.Partition}; partitions are isolated, so it could never call the bot.", parameter);
        }

        return new CreateResourcePolicyStatementRequest
        {
            ResourceArn = resource,
            StatementId = statementId ?? DefaultStatementId(service, sourceArn, SourceId(sourceArn, resource.Region)),
            Effect = Effect.Allow,
            Principal = [Principal.ForService(servicePrincipal)],
            Action = actions?.ToArray() ?? [.. DefaultActionsFor(resource)],
            Condition = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                ["StringEquals"] = new Dictionary<string, string> { ["aws:SourceAccount"] = account },
                ["ArnEquals"] = new Dictionary<string, string> { ["aws:SourceArn"] = sourceArn },
            },
        };
    }

    /// <summary>Whether the parts of <c>Split(':', 6)</c> are an ARN of <paramref name="service"/> with a partition, a region and a 12-digit account.</summary>
    private static bool IsArnOf(string[] p, string service) =>
        p.Length == 6 && p[0] == "arn" && p[1].Length > 0 && p[2] == service && p[3].Length > 0 &&
        p[4].Length == 12 && !p[4].AsSpan().ContainsAnyExceptInRange('0', '9') && p[5].Length > 0;

    /// <summary>
    /// <c>{Service}</c> of a default id: the letters and digits of the service principal's first label (dashes and underscores
    /// dropped), the first upper-cased, at most 40 characters so the id keeps room for the source; <see langword="null"/> when
    /// the label has none.
    /// </summary>
    private static string? ServiceName(string servicePrincipal)
    {
        string name = string.Concat(servicePrincipal.Split('.')[0].Where(char.IsAsciiLetterOrDigit));
        name = name.Length > 40 ? name[..40] : name;
        return name.Length == 0 ? null : char.ToUpperInvariant(name[0]) + name[1..];
    }

    /// <summary>
    /// The source's resource id when it names the source alone among the grants of one bot: the part after the last
    /// <c>/</c> or <c>:</c>, if the ARN's resource part is a single <c>TYPE/ID</c> or <c>TYPE:ID</c> (a qualified function or a
    /// nested resource shares its last segment with others) and the source is in the bot's region or has none (a function
    /// of the same name in another region is another source); otherwise <see langword="null"/>, and the id takes the hash.
    /// </summary>
    private static string? SourceId(string sourceArn, string region)
    {
        string[] p = sourceArn.Split(':', 6);
        return p.Length == 6 && (p[3].Length == 0 || p[3] == region) && p[5].Count(c => c is '/' or ':') <= 1 ? LastSegment(sourceArn) : null;
    }

    /// <summary>The part of an ARN after its last <c>/</c> or <c>:</c>.</summary>
    private static string LastSegment(string arn) => arn[(arn.LastIndexOfAny(['/', ':']) + 1)..];
}
