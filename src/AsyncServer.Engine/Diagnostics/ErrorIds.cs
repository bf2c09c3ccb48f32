namespace AsyncServer.Diagnostics;

/// <summary>Every stable error identifier the engine raises, in one place so they stay unique.</summary>
public static class ErrorIds
{
    public const string ConfigurationNotFound = "ConfigurationNotFound";
    public const string ConfigurationInvalid = "ConfigurationInvalid";
    public const string ConfigurationSyntax = "ConfigurationSyntax";
    public const string UnknownProvider = "UnknownProvider";
    public const string ProviderNotAvailable = "ProviderNotAvailable";
    public const string ConnectionFailed = "ConnectionFailed";
    public const string MessageDatabaseNotInitialized = "MessageDatabaseNotInitialized";
    public const string MessageDatabaseOutdated = "MessageDatabaseOutdated";
    public const string MessageDatabaseTooNew = "MessageDatabaseTooNew";
    public const string ChangeTrackingNotEnabled = "ChangeTrackingNotEnabled";
    /// <summary>SQL Server HQ: extraction reads in a snapshot transaction, which the database does not allow.</summary>
    /// <summary>The database refused a statement for lack of permission (the message says which one is needed).</summary>
    public const string PermissionDenied = "PermissionDenied";
    public const string SnapshotIsolationNotEnabled = "SnapshotIsolationNotEnabled";
    public const string TableNotFound = "TableNotFound";
    public const string ColumnNotFound = "ColumnNotFound";
    public const string ScheduleNotFound = "ScheduleNotFound";
    public const string JobNotFound = "JobNotFound";
    public const string DataGroupNotFound = "DataGroupNotFound";
    public const string ChannelDatabaseNotFound = "ChannelDatabaseNotFound";
    public const string NothingToDistribute = "NothingToDistribute";
    public const string WorkClaimedElsewhere = "WorkClaimedElsewhere";
    public const string ConcurrentRun = "ConcurrentRun";
    public const string DistributionFailed = "DistributionFailed";
    public const string DistributionCanceled = "DistributionCanceled";
    public const string PackageNotFound = "PackageNotFound";
    public const string PackageInvalid = "PackageInvalid";
    public const string PackageMismatch = "PackageMismatch";
    public const string SessionNotFound = "SessionNotFound";
    public const string SessionStateInvalid = "SessionStateInvalid";
    public const string FilterSyntax = "FilterSyntax";
    public const string SecretNotFound = "SecretNotFound";
    public const string WorkingFolderUnavailable = "WorkingFolderUnavailable";
    public const string ApplyFailed = "ApplyFailed";
    public const string DownloadFailed = "DownloadFailed";
    /// <summary>Upload: the store could not read or send its rows (docs/upload.md).</summary>
    public const string UploadFailed = "UploadFailed";
    /// <summary>Upload: the store's counter went back below what HQ already holds from it (restored from a backup?).</summary>
    public const string CounterRegression = "CounterRegression";
    /// <summary>The endpoint: a channel credential request that makes no sense (an expiry in the past, an unknown id).</summary>
    public const string CredentialInvalid = "CredentialInvalid";
    /// <summary>The endpoint: the channel database already has the most active credentials it may have.</summary>
    public const string CredentialLimit = "CredentialLimit";
    /// <summary>The endpoint client: the server refused the credential (401) or the caller's access (403).</summary>
    public const string EndpointUnauthorized = "EndpointUnauthorized";
    /// <summary>The endpoint client: the server could not be reached or kept failing after the retries.</summary>
    public const string EndpointUnavailable = "EndpointUnavailable";
    /// <summary>The endpoint client: the server answered with something the client did not expect.</summary>
    public const string EndpointProtocol = "EndpointProtocol";
    public const string SessionCanceled = "SessionCanceled";
    public const string ChannelConnectionMissing = "ChannelConnectionMissing";
    public const string ChannelTableMismatch = "ChannelTableMismatch";
    public const string SessionBlocked = "SessionBlocked";
    public const string RepackageFailed = "RepackageFailed";
    public const string StatusMoveFailed = "StatusMoveFailed";
    public const string RecurrenceNotRepresentable = "RecurrenceNotRepresentable";
    public const string ScheduleHasNoRecurrence = "ScheduleHasNoRecurrence";
    public const string RegistrationFailed = "RegistrationFailed";
    public const string RegistrationExists = "RegistrationExists";
    public const string RegistrationNotFound = "RegistrationNotFound";
    public const string ExecutableNotFound = "ExecutableNotFound";
    /// <summary>An HQ value a package cannot carry (an infinite timestamp, a NaN numeric, a number beyond the range of decimal).</summary>
    public const string ValueNotRepresentable = "ValueNotRepresentable";
    /// <summary>A SQLite database stayed locked by another process or connection for longer than the wait allows.</summary>
    public const string DatabaseLocked = "DatabaseLocked";
}
