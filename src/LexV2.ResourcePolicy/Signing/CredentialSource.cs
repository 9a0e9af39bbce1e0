using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// Supplies the <see cref="AWSCredentials"/> to sign with: the configured ones, or AWSSDK.Core's default chain resolved once, on
/// first use. The refreshing <see cref="AWSCredentials"/> object itself is kept (never a snapshot of its keys), so temporary
/// credentials from SSO, assume-role, web identity or instance metadata are renewed as they expire.
/// </summary>
internal sealed class CredentialSource
{
    private readonly Lazy<AWSCredentials> _credentials;

    public CredentialSource(AWSCredentials? configured)
    {
        _credentials = configured is not null
            ? new Lazy<AWSCredentials>(configured)
            : new Lazy<AWSCredentials>(ResolveDefault, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public AWSCredentials Get() => _credentials.Value;

    private static AWSCredentials ResolveDefault()
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        }
        catch (AmazonClientException e)
        {
            throw new LexPolicyException(
                "No AWS credentials were found for the Lex policy client. Set LexPolicyClientOptions.Credentials, or configure the " +
                "default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with a profile in ~/.aws, web identity, or an instance role.",
                e);
        }
    }
}
