using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace LexV2.ResourcePolicy.Signing;

/// <summary>
/// Supplies the keys to sign one request with: from the configured <see cref="AWSCredentials"/>, or from AWSSDK.Core's default
/// chain. Every failure is a <see cref="LexPolicyException"/> with <see cref="ErrorCode"/>, raised before anything is written to
/// the wire: a provider that throws, returns <see langword="null"/>, or yields keys with characters outside visible ASCII (which
/// would otherwise inject header lines). The refreshing <see cref="AWSCredentials"/> object is kept (never a snapshot of its
/// keys), so temporary credentials are renewed as they expire. Thread-safe.
/// </summary>
/// <remarks>
/// One provider run at a time, shared: concurrent callers join the run in flight instead of each starting its own (a slow or
/// blocking provider would otherwise take a thread per call). A caller's token (which carries the attempt and overall timeouts)
/// ends only that caller's wait; the run goes on for the others, and its outcome is always observed, so a run that fails after
/// every caller gave up raises no unobserved task exception. Once a run completes, the next call starts a new one: freshness is
/// the provider's business (AWSSDK.Core's refreshing credentials cache their keys until they near expiry). A failed resolution
/// of the default chain is not remembered either, so the next call resolves again. A run that has not returned after
/// <see cref="AbandonAfter"/> is presumed hung and a new one starts, but never more than <see cref="MaxRunsAtOnce"/> are alive
/// at once: a provider that blocks its thread for good holds a bounded number of threads.
/// </remarks>
internal sealed class CredentialSource
{
    /// <summary>The <see cref="LexPolicyException.ErrorCode"/> of every credential failure.</summary>
    public const string ErrorCode = "CredentialsUnavailable";

    /// <summary>
    /// How long a provider run may take before it is presumed hung: a call that comes later starts a new run instead of
    /// joining it (the old one is still observed when it ends), so one run that never returns cannot stall the client for good.
    /// </summary>
    public static readonly TimeSpan AbandonAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The most provider runs alive at once: the one in flight and those presumed hung (see <see cref="AbandonAfter"/>) that have
    /// not returned. A run that blocks its thread for good holds that thread for good; without a bound, a hung provider would
    /// take one more thread every minute. While this many are alive and the newest is presumed hung too, a call fails at once.
    /// </summary>
    public const int MaxRunsAtOnce = 3;

    private readonly AWSCredentials? _configured;
    private readonly string? _profile;
    private readonly string _profileSource;
    private readonly string? _credentialsFile;
    private readonly SingleFlight<AWSCredentials?> _resolving;
    private readonly SingleFlight<ImmutableCredentials?> _fetching;
    private AWSCredentials? _resolved;
    private ImmutableCredentials? _lastChecked;

    /// <param name="configured">Credentials given in code; when <see langword="null"/>, <paramref name="profile"/> or the default chain.</param>
    /// <param name="profile">A named profile of the shared config and credentials files to take credentials from.</param>
    /// <param name="profileSource">What named <paramref name="profile"/>, for messages.</param>
    /// <param name="credentialsFile">
    /// The shared credentials file to read <paramref name="profile"/> from (as the AWS CLI finds it); AWSSDK.Core's own default
    /// location when <see langword="null"/>.
    /// </param>
    /// <param name="time">The clock that tells a hung provider run (see <see cref="AbandonAfter"/>); the system clock when <see langword="null"/>.</param>
    public CredentialSource(AWSCredentials? configured, string? profile = null, string profileSource = "LexPolicyClientOptions.Profile", string? credentialsFile = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        _resolving = new SingleFlight<AWSCredentials?>(time);
        _fetching = new SingleFlight<ImmutableCredentials?>(time);
        _profileSource = profileSource;
        _credentialsFile = credentialsFile;
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
            // Fixed keys held in memory are read as they are, without a task per call. Any other provider runs once for all
            // the callers that want keys meanwhile.
            credentials = source.GetType() == typeof(BasicAWSCredentials) || source.GetType() == typeof(SessionAWSCredentials)
                ? source.GetCredentials()
                : await _fetching.Join(static s => Fetch((AWSCredentials)s!), source, null).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ProviderHungException e)
        {
            throw Unavailable($"The credentials provider ({source.GetType().Name}) {e.Message}", null);
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

    /// <summary>
    /// AWSSDK.Core's own credentials resolve asynchronously or from memory; any other provider may implement only the synchronous
    /// GetCredentials (the base GetCredentialsAsync wraps it) and block for as long as it takes, so it runs on a thread of its
    /// own, off the caller's thread and outside the thread pool that the waiting callers' timeouts need: one thread per run,
    /// never one per call.
    /// </summary>
    private static Task<ImmutableCredentials?> Fetch(AWSCredentials source) =>
        source is AnonymousAWSCredentials or RefreshingAWSCredentials
            ? source.GetCredentialsAsync()!
            : Task.Factory.StartNew(
                source.GetCredentialsAsync,
                CancellationToken.None,
                TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
                TaskScheduler.Default).Unwrap()!;

    /// <summary>The default chain (or the named profile), resolved once for all the callers waiting meanwhile; a failure is forgotten.</summary>
    private async Task<AWSCredentials> ResolveDefaultAsync(CancellationToken cancellationToken)
    {
        try
        {
            AWSCredentials resolved = await _resolving.Join(
                static s => s is ValueTuple<string, string?> named
                    ? Task.Run<AWSCredentials?>(() => FromProfile(named.Item1, named.Item2), CancellationToken.None)
                    : Task.Run(static () => DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(null), CancellationToken.None)!,
                _profile is { } named ? (named, _credentialsFile) : null,
                r => Volatile.Write(ref _resolved, r)).WaitAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new AmazonClientException("The default credential chain returned no credentials.");
            return resolved;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ProviderHungException e)
        {
            throw Unavailable((_profile is { } p ? $"Reading AWS profile '{p}' ({_profileSource}) " : "The default credential chain ") + e.Message, null);
        }
        catch (Exception e)
        {
            throw Unavailable(
                _profile is { } p
                    ? $"AWS profile '{p}' ({_profileSource}) gave no credentials: check the profile in the shared config and credentials files."
                    : "No AWS credentials were found. Set LexPolicyClientOptions.Credentials, or configure the default chain: " +
                      "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with a profile in ~/.aws, web identity, or an instance role.",
                e);
        }
    }

    private static AWSCredentials FromProfile(string profile, string? credentialsFile) =>
        (credentialsFile is null ? new Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain() : new Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain(credentialsFile))
            .TryGetAWSCredentials(profile, out AWSCredentials? credentials)
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

    /// <summary>
    /// One run at a time of an asynchronous operation, joined by every caller that comes while it is in flight. When the run
    /// completes it leaves (so the next caller starts afresh), its exception is observed whether or not anyone still waits,
    /// and a result is handed to the completion callback.
    /// </summary>
    private sealed class SingleFlight<T>(TimeProvider time)
    {
        private readonly object _gate = new();
        private Task<T>? _inFlight;
        private long _started;
        private int _alive;

        public Task<T> Join(Func<object?, Task<T>> start, object? state, Action<T>? completed)
        {
            var shared = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_inFlight is { } inFlight)
                {
                    TimeSpan age = time.GetElapsedTime(_started);
                    if (age < AbandonAfter)
                    {
                        return inFlight;
                    }

                    if (_alive >= MaxRunsAtOnce)
                    {
                        return Task.FromException<T>(new ProviderHungException(
                            $"has not returned from its last {_alive} runs, the newest started {age.TotalSeconds:0} s ago; no run is started until one returns."));
                    }
                }

                _inFlight = shared.Task;
                _started = time.GetTimestamp();
                _alive++;
            }

            // The provider's code runs outside the lock: a slow synchronous start holds up no other caller's join.
            Task<T> run;
            try
            {
                run = start(state) ?? throw new InvalidOperationException("The credentials provider returned no task.");
            }
            catch (Exception e)
            {
                run = Task.FromException<T>(e); // a provider that throws (or returns nothing) before a task is under way
            }

            _ = run.ContinueWith(
                static (t, s) =>
                {
                    var (flight, shared, completed) = ((SingleFlight<T>, TaskCompletionSource<T>, Action<T>?))s!;

                    // Leave first (unless a newer run has taken the place of one presumed hung), so that a caller resumed by
                    // this outcome that calls again starts a new run.
                    lock (flight._gate)
                    {
                        flight._alive--;
                        if (ReferenceEquals(flight._inFlight, shared.Task))
                        {
                            flight._inFlight = null;
                        }
                    }

                    if (t.IsCompletedSuccessfully)
                    {
                        completed?.Invoke(t.Result);
                        shared.TrySetResult(t.Result);
                    }
                    else if (t.Exception is { } failure)
                    {
                        // Observed here, whether or not anyone still waits: no unobserved task exception.
                        shared.TrySetException(failure.InnerExceptions);
                    }
                    else
                    {
                        shared.TrySetCanceled();
                    }

                    _ = shared.Task.Exception; // the shared copy too, when every caller gave up before the run failed
                },
                (this, shared, completed),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return shared.Task;
        }
    }

    /// <summary>The provider's runs presumed hung are as many as <see cref="MaxRunsAtOnce"/>; the message says so.</summary>
    private sealed class ProviderHungException(string message) : Exception(message);
}
