using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AsyncServer.Service.Endpoint;

/// <summary>RFC 9457 problem details: a title, the status, and a detail that says what to do. Never a stack trace or a secret.</summary>
public static class Problems
{
    public static ProblemHttpResult Result(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
        => TypedResults.Problem(new ProblemDetails
        {
            Status = status, Title = title, Detail = detail, Extensions = extensions ?? new Dictionary<string, object?>(),
        });

    public static Task Write(HttpContext context, int status, string title, string detail) => Result(status, title, detail).ExecuteAsync(context);

    /// <summary>The one answer for a session that does not exist, belongs to another channel database, or is no longer pending: nothing about which.</summary>
    public static ProblemHttpResult SessionNotFound(long id) => Result(StatusCodes.Status404NotFound, "Session not found",
        $"Session {id} is not pending at your channel database.");
}
