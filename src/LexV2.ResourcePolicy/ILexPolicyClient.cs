namespace LexV2.ResourcePolicy;

/// <summary>
/// The Amazon Lex V2 resource-policy operations. Implemented by <see cref="LexPolicyClient"/>; mock it in your own tests, or
/// run the real client against the emulator in <c>LexV2.ResourcePolicy.Testing</c>.
/// </summary>
/// <remarks>
/// Every method validates its request first (unless <see cref="LexPolicyClientOptions.ValidateRequests"/> is off) and throws
/// <see cref="RequestValidationException"/> without sending anything when it is invalid. Service errors surface as the
/// subclasses of <see cref="LexPolicyException"/>; throttles and transient faults are retried first.
/// </remarks>
public interface ILexPolicyClient
{
    /// <summary>Adds a statement to the resource policy of a bot or bot alias; creates the policy when there is none.</summary>
    /// <param name="request">The statement to add.</param>
    /// <param name="cancellationToken">Cancels the call, including any wait between retries.</param>
    /// <returns>The resource ARN and the policy's new revision.</returns>
    /// <exception cref="RequestValidationException">The request breaks a documented constraint; nothing was sent.</exception>
    /// <exception cref="ConflictException">A statement with the same id already exists.</exception>
    /// <exception cref="PreconditionFailedException">The <c>ExpectedRevisionId</c> is not the current revision.</exception>
    /// <exception cref="ResourceNotFoundException">The bot or bot alias does not exist.</exception>
    /// <exception cref="ValidationException">The service rejected the statement.</exception>
    /// <exception cref="ServiceQuotaExceededException">The policy would exceed a quota.</exception>
    /// <exception cref="ThrottlingException">Throttled, and the retries are exhausted.</exception>
    /// <exception cref="InternalServerException">The service failed, and the retries are exhausted.</exception>
    /// <exception cref="LexPolicyException">Any other failure (authentication, timeout, transport, unreadable answer).</exception>
    Task<CreateResourcePolicyStatementResponse> CreateResourcePolicyStatementAsync(CreateResourcePolicyStatementRequest request, CancellationToken cancellationToken = default);

    /// <summary>Removes a statement from the resource policy of a bot or bot alias.</summary>
    /// <param name="request">The resource and statement id.</param>
    /// <param name="cancellationToken">Cancels the call, including any wait between retries.</param>
    /// <returns>The (usually empty) answer; the service replies 204.</returns>
    /// <exception cref="RequestValidationException">The request breaks a documented constraint; nothing was sent.</exception>
    /// <exception cref="ResourceNotFoundException">The policy or the statement does not exist.</exception>
    /// <exception cref="PreconditionFailedException">The <c>ExpectedRevisionId</c> is not the current revision.</exception>
    /// <exception cref="LexPolicyException">Any other failure.</exception>
    Task<DeleteResourcePolicyStatementResponse> DeleteResourcePolicyStatementAsync(DeleteResourcePolicyStatementRequest request, CancellationToken cancellationToken = default);

    /// <summary>Attaches a policy document to a bot or bot alias that has none.</summary>
    /// <param name="request">The resource and the policy JSON.</param>
    /// <param name="cancellationToken">Cancels the call, including any wait between retries.</param>
    /// <returns>The resource ARN and the new policy's revision.</returns>
    /// <exception cref="RequestValidationException">The request breaks a documented constraint; nothing was sent.</exception>
    /// <exception cref="ResourceNotFoundException">The bot or bot alias does not exist.</exception>
    /// <exception cref="ValidationException">The policy is not valid.</exception>
    /// <exception cref="LexPolicyException">Any other failure.</exception>
    Task<CreateResourcePolicyResponse> CreateResourcePolicyAsync(CreateResourcePolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the resource policy of a bot or bot alias.</summary>
    /// <param name="request">The resource.</param>
    /// <param name="cancellationToken">Cancels the call, including any wait between retries.</param>
    /// <returns>The policy JSON and its revision.</returns>
    /// <exception cref="RequestValidationException">The request breaks a documented constraint; nothing was sent.</exception>
    /// <exception cref="ResourceNotFoundException">The resource or its policy does not exist.</exception>
    /// <exception cref="LexPolicyException">Any other failure.</exception>
    Task<DescribeResourcePolicyResponse> DescribeResourcePolicyAsync(DescribeResourcePolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Replaces the whole resource policy of a bot or bot alias.</summary>
    /// <param name="request">The resource, the new policy JSON and optionally the expected revision.</param>
    /// <param name="cancellationToken">Cancels the call, including any wait between retries.</param>
    /// <returns>The resource ARN and the policy's new revision.</returns>
    /// <exception cref="RequestValidationException">The request breaks a documented constraint; nothing was sent.</exception>
    /// <exception cref="ResourceNotFoundException">The resource or its policy does not exist.</exception>
    /// <exception cref="PreconditionFailedException">The <c>ExpectedRevisionId</c> is not the current revision.</exception>
    /// <exception cref="LexPolicyException">Any other failure.</exception>
    Task<UpdateResourcePolicyResponse> UpdateResourcePolicyAsync(UpdateResourcePolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes the whole resource policy of a bot or bot alias.</summary>
    /// <param name="request">The resource and optionally the expected revision.</param>
    /// <param name="cancellationToken">Cancels the call, including any wait between retries.</param>
    /// <returns>The (usually empty) answer; the service replies 204.</returns>
    /// <exception cref="RequestValidationException">The request breaks a documented constraint; nothing was sent.</exception>
    /// <exception cref="ResourceNotFoundException">The resource or its policy does not exist.</exception>
    /// <exception cref="PreconditionFailedException">The <c>ExpectedRevisionId</c> is not the current revision.</exception>
    /// <exception cref="LexPolicyException">Any other failure.</exception>
    Task<DeleteResourcePolicyResponse> DeleteResourcePolicyAsync(DeleteResourcePolicyRequest request, CancellationToken cancellationToken = default);
}
