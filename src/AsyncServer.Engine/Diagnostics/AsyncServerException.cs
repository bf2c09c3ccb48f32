namespace AsyncServer.Diagnostics;

/// <summary>
/// The kind of failure, independent of PowerShell. Cmdlets map it onto an ErrorCategory;
/// the service maps it onto log levels. Keeping it here keeps the engine free of
/// System.Management.Automation.
/// </summary>
public enum ErrorKind
{
    InvalidArgument,
    InvalidData,
    ObjectNotFound,
    ResourceUnavailable,
    ConnectionError,
    InvalidOperation,
    PermissionDenied,
    ResourceBusy,
    OperationStopped,
    NotImplemented,
    WriteError,
}

/// <summary>
/// An expected failure with a stable identifier. The identifier is part of the public
/// contract: scripts and tests match on it, so never rename one.
/// </summary>
public class AsyncServerException : Exception
{
    public AsyncServerException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public ErrorKind Kind { get; }
    public object? Target { get; }
}
