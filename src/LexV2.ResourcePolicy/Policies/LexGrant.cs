namespace LexV2.ResourcePolicy;

/// <summary>
/// Builds correct <see cref="CreateResourcePolicyStatementRequest"/>s for the common grants, so callers do not hand-assemble
/// principals and conditions: an AWS service acting for one of its resources (with <c>aws:SourceAccount</c> and
/// <c>aws:SourceArn</c> filled in from the source ARN), or an IAM role or user of the bot's own account.
/// </summary>
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
    /// <param name="statementId">The statement id; default <c>Allow{Service}</c> (e.g. <c>AllowConnect</c>).</param>
    /// <param name="actions">The actions; default <see cref="DefaultActionsFor"/>.</param>
    /// <returns>The request, with <c>StringEquals aws:SourceAccount</c> and <c>ArnEquals aws:SourceArn</c> conditions.</returns>
    /// <exception cref="ArgumentException">The source ARN is malformed or in another account.</exception>
    public static CreateResourcePolicyStatementRequest ServiceAccess(LexResourceArn resource, string servicePrincipal, string sourceArn, string? statementId = null, IEnumerable<string>? actions = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(servicePrincipal);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceArn);
        string account = Validation.RequestValidator.AccountOf(sourceArn)
            ?? throw new ArgumentException($"'{sourceArn}' is not an ARN with an account id.", nameof(sourceArn));
        if (account != resource.AccountId)
        {
            throw new ArgumentException($"The source {sourceArn} is in account {account} but the bot is in account {resource.AccountId}; Lex resource policies cannot grant cross-account access.", nameof(sourceArn));
        }

        string name = servicePrincipal.Split('.')[0];
        return new CreateResourcePolicyStatementRequest
        {
            ResourceArn = resource,
            StatementId = statementId ?? "Allow" + char.ToUpperInvariant(name[0]) + name[1..].Replace("-", string.Empty, StringComparison.Ordinal),
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

    /// <summary>Lets an Amazon Connect instance use a bot alias (the grant the Connect console makes).</summary>
    /// <param name="alias">The bot alias.</param>
    /// <param name="connectInstanceArn">The Connect instance ARN, e.g. <c>arn:aws:connect:us-east-1:123456789012:instance/...</c>.</param>
    /// <param name="statementId">The statement id; default <c>AllowConnect</c>.</param>
    /// <returns>The request.</returns>
    public static CreateResourcePolicyStatementRequest ConnectInstance(BotAliasArn alias, string connectInstanceArn, string? statementId = null) =>
        ServiceAccess(alias, "connect.amazonaws.com", connectInstanceArn, statementId);

    /// <summary>Lets a Lambda function use a bot alias.</summary>
    /// <param name="alias">The bot alias.</param>
    /// <param name="functionArn">The function ARN.</param>
    /// <param name="statementId">The statement id; default <c>AllowLambda</c>.</param>
    /// <returns>The request.</returns>
    public static CreateResourcePolicyStatementRequest LambdaFunction(BotAliasArn alias, string functionArn, string? statementId = null) =>
        ServiceAccess(alias, "lambda.amazonaws.com", functionArn, statementId);

    /// <summary>Lets an IAM role or user (or the account root) of the bot's own account use the resource.</summary>
    /// <param name="resource">The bot or bot alias.</param>
    /// <param name="principalArn">The role, user or root ARN, e.g. <c>arn:aws:iam::123456789012:role/deployer</c>.</param>
    /// <param name="statementId">The statement id (required: one per principal keeps them separately removable).</param>
    /// <param name="actions">The actions; default <see cref="DefaultActionsFor"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The principal is in another account.</exception>
    public static CreateResourcePolicyStatementRequest IamPrincipal(LexResourceArn resource, string principalArn, string statementId, IEnumerable<string>? actions = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(principalArn);
        ArgumentException.ThrowIfNullOrWhiteSpace(statementId);
        if (Validation.RequestValidator.AccountOf(principalArn) is { } account && account != resource.AccountId)
        {
            throw new ArgumentException($"The principal {principalArn} is in account {account} but the bot is in account {resource.AccountId}; Lex resource policies cannot grant cross-account access.", nameof(principalArn));
        }

        return new CreateResourcePolicyStatementRequest
        {
            ResourceArn = resource,
            StatementId = statementId,
            Effect = Effect.Allow,
            Principal = [Principal.ForArn(principalArn)],
            Action = actions?.ToArray() ?? [.. DefaultActionsFor(resource)],
        };
    }
}
