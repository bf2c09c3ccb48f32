using System.Management.Automation;
using AsyncServer.Diagnostics;

namespace AsyncServer.PowerShell.Internal;

/// <summary>Turns engine exceptions into ErrorRecords with the engine's stable error id and a matching category.</summary>
internal static class ErrorMapping
{
    public static ErrorRecord ToErrorRecord(Exception ex, object? target = null) => ex switch
    {
        AsyncServerException a => new ErrorRecord(a, a.ErrorId, Category(a.Kind), a.Target ?? target),
        UnauthorizedAccessException => new ErrorRecord(ex, "AccessDenied", ErrorCategory.PermissionDenied, target),
        IOException => new ErrorRecord(ex, "IOError", ErrorCategory.WriteError, target),
        _ => new ErrorRecord(ex, "UnexpectedError", ErrorCategory.NotSpecified, target),
    };

    public static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        ErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        ErrorKind.WriteError => ErrorCategory.WriteError,
        _ => ErrorCategory.NotSpecified,
    };
}
