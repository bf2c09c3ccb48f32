namespace AsyncServer.Data;

/// <summary>A database connection as the configuration gives it (<c>$.hq</c>, <c>$.messageDatabase</c>, a channel database's <c>connection</c>).</summary>
public sealed class ConnectionSettings
{
    /// <summary><c>sqlite</c> (default), <c>postgresql</c> or <c>sqlserver</c>.</summary>
    public string Provider { get; set; } = "sqlite";
    /// <summary>May hold <c>${env:NAME}</c> placeholders, resolved when the connection is opened.</summary>
    public string? ConnectionString { get; set; }
    /// <summary>When true, the user name and password come from the cmdlet's -Credential parameter.</summary>
    public bool UseCredential { get; set; }
}
