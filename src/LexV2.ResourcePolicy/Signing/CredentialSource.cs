using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// Supplies the keys to sign one request with: from the configured <see cref="AWSCredentials"/>, or from AWSSDK.Core's default
/// chain. Every resolution is bounded by the caller's token (which carries the attempt and overall timeouts), and every failure is
/// a <see cref="LexPolicyException"/> with <see cref="ErrorCode"/>, raised before anything is written to the wire:
/// a provider that throws, returns <see langword="null"/>, or yields keys with characters outside visible ASCII (which would
/// otherwise inject header lines). The refreshing <see cref="AWSCredentials"/> object is kept (never a snapshot of its keys), so
/// temporary credentials are renewed as they expire; a failed resolution of the default chain is not remembered, so the next call
/// resolves again. Thread-safe.
/// </summary>
internal sealed class CredentialSource
{
    /// <summary>The <see cref="LexPolicyException.ErrorCode"/> of every credential failure.</summary>
    public const string ErrorCode = "CredentialsUnavailable";

    private readonly AWSCredentials? _configured;
    private readonly string? _profile;
    private AWSCredentials? _resolved;
    private Task<AWSCredentials>? _resolving;
    private ImmutableCredentials? _lastChecked;

    /// <param name="configured">Credentials given in code; when <see langword="null"/>, <paramref name="profile"/> or the default chain.</param>
    /// <param name="profile">A named profile of the shared config and credentials files to take credentials from.</param>
    public CredentialSource(AWSCredentials? configured, string? profile = null)
    {
        _configured = configured;
        _profile = string.IsNullOrEmpty(profile) ? null : profile;
    }

    /// <summary>Where the keys come from, for diagnostics (never a secret).</summary>
    public string Description => (_configured ?? Volatile.Read(ref _resolved)) is { } c ? c.GetType().Name : "default chain (not resolved yet)";

    public async ValueTask<ImmutableCredentials> GetAsync(CancellationToken cancellationToken)
    {
        AWSCredentials source = _configured ?? Volatile.Read(ref _resolved) ?? await ResolveDefaultAsync(cancellationToken).ConfigureAwait(false);
        ImmutableCredentials? credentials;
        try
        {
            // AWSSDK.Core's own credentials resolve asynchronously or from memory; any other provider may implement only the
            // synchronous GetCredentials (the base GetCredentialsAsync wraps it), so it runs off the caller's thread, where the
            // call's token and timeouts can abandon it.
            if (source.GetType() == typeof(BasicAWSCredentials) || source.GetType() == typeof(SessionAWSCredentials))
            {
                // Fixed keys held in memory: read them as they are, without a task per call.
                credentials = source.GetCredentials();
            }
            else
            {
                Task<ImmutableCredentials> pending = source is AnonymousAWSCredentials or RefreshingAWSCredentials
                    ? source.GetCredentialsAsync()
                    : Task.Run(source.GetCredentialsAsync, cancellationToken);
                credentials = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw Unavailable($"The credentials provider ({source.GetType().Name}) failed: {e.GetType().Name}.", e);
        }

        if (credentials is null)
        {
            throw Unavailable($"The credentials provider ({source.GetType().Name}) returned no credentials.", null);
        }

        if (!ReferenceEquals(credentials, Volatile.Read(ref _lastChecked)))
        {
            Check(credentials.AccessKey, "access key id");
            Check(credentials.SecretKey, "secret access key");
            if (credentials.UseToken)
            {
                Check(credentials.Token, "session token");
            }

            Volatile.Write(ref _lastChecked, credentials);
        }

        return credentials;
    }

    /// <summary>One resolution of the default chain at a time, shared by concurrent callers; a failure is forgotten.</summary>
    private async Task<AWSCredentials> ResolveDefaultAsync(CancellationToken cancellationToken)
    {
        Task<AWSCredentials>? resolving = Volatile.Read(ref _resolving);
        if (resolving is null)
        {
            string? profile = _profile;
            var started = profile is null
                ? Task.Run(static () => DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null), CancellationToken.None)
                : Task.Run(() => FromProfile(profile), CancellationToken.None);
            resolving = Interlocked.CompareExchange(ref _resolving, started, null) ?? started;
        }

        try
        {
            AWSCredentials resolved = await resolving.WaitAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new AmazonClientException("The default credential chain returned no credentials.");
            Volatile.Write(ref _resolved, resolved);
            return resolved;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _ = Interlocked.CompareExchange(ref _resolving, null, resolving);
            throw Unavailable(
                _profile is { } p
                    ? $"AWS profile '{p}' (LexPolicyClientOptions.Profile) gave no credentials: check the profile in the shared config and credentials files."
                    : "No AWS credentials were found. Set LexPolicyClientOptions.Credentials, or configure the default chain: " +
                      "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with a profile in ~/.aws, web identity, or an instance role.",
                e);
        }
    }

    private static AWSCredentials FromProfile(string profile) =>
        new Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain().TryGetAWSCredentials(profile, out AWSCredentials? credentials)
            ? credentials
            : throw new AmazonClientException($"Profile '{profile}' was not found or has no credentials.");

    /// <summary>Keys go into header lines: anything but visible ASCII (0x21-0x7E) could split or forge them.</summary>
    private static void Check(string? value, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw Unavailable($"The resolved {what} is empty.", null);
        }

        foreach (char c in value)
        {
            if (c is < '!' or > '~')
            {
                throw Unavailable($"The resolved {what} contains a character outside visible ASCII (for example a space, CR or LF), so it cannot be sent in a header; nothing was sent.", null);
            }
        }
    }

    private static LexPolicyException Unavailable(string message, Exception? inner) =>
        new("Cannot sign the request: " + message, default, ErrorCode, null, inner);
}
