using AsyncServer.Endpoint;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace AsyncServer.Service.Endpoint;

/// <summary>PUT /api/v1/uploads/{id}/package: a package (or the rest of one) into the session's partial file, verified when whole.</summary>
public static partial class EndpointApi
{
    private static async Task<IResult> PutPackage(string id, HttpContext context, EndpointState state, EndpointSettings settings,
        ILogger<EndpointState> log, CancellationToken ct)
    {
        if (!TryParseId(id, out var sessionId)) return BadId(id);
        var sha = context.Request.Headers[EndpointClient.PackageSha256Header].ToString();
        if (!Sha256Pattern().IsMatch(sha))
            return Problems.Result(StatusCodes.Status400BadRequest, "Bad SHA-256",
                $"Send the package's SHA-256 as 64 hex digits in {EndpointClient.PackageSha256Header}.");
        if (ParseRange(context.Request) is not { } range)
            return Problems.Result(StatusCodes.Status400BadRequest, "Bad Content-Range",
                "Send Content-Length, and Content-Range: bytes FROM-LAST/TOTAL for a part (LAST = TOTAL - 1, FROM = the server's receivedBytes).");
        if (range.Total > settings.MaxUploadBytes)
            return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Package too large",
                $"The package is {range.Total} bytes; this endpoint accepts at most {settings.MaxUploadBytes} (endpoint.maxUploadBytes).");
        var intake = IntakeOf(context, state);
        if (await intake.FindAsync(sessionId, ct) is not { } s) return UploadNotFound(sessionId);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = range.Total - range.From;
        UploadReceipt receipt;
        try
        {
            receipt = await intake.ReceiveAsync(s, context.Request.Body, range.From, range.Total, sha, ct);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException)
        {
            // The client went away or sent more than it announced: what arrived stays for the next part.
            log.LogInformation("Upload session {Id}: the body ended early ({Message}); the store resumes from what arrived.", sessionId,
                ex.Message);
            return Problems.Result(StatusCodes.Status400BadRequest, "Body incomplete",
                "The package body ended early; ask GET /api/v1/uploads/{id} and continue.");
        }
        return Answer(receipt, sessionId, log);
    }

    private static IResult Answer(UploadReceipt receipt, long sessionId, ILogger log)
    {
        var status = new Dictionary<string, object?> { ["currentStatus"] = receipt.State.Status, ["receivedBytes"] = receipt.State.ReceivedBytes };
        switch (receipt.Kind)
        {
            case UploadReceiptKind.Complete or UploadReceiptKind.AlreadyUploaded: return TypedResults.Ok(receipt.State);
            case UploadReceiptKind.Partial: return TypedResults.Json(receipt.State, statusCode: StatusCodes.Status202Accepted);
            case UploadReceiptKind.OffsetMismatch:
                return Problems.Result(StatusCodes.Status409Conflict, EndpointClient.UploadOffsetTitle, receipt.Detail!, status);
            case UploadReceiptKind.WrongState: return Problems.Result(StatusCodes.Status409Conflict, "Transition not allowed", receipt.Detail!, status);
            case UploadReceiptKind.Damaged: return Problems.Result(StatusCodes.Status422UnprocessableEntity, "Package damaged", receipt.Detail!, status);
            default:
                log.LogWarning("{Message}", receipt.Detail);
                return Problems.Result(StatusCodes.Status422UnprocessableEntity, "Package refused", receipt.Detail!, status);
        }
    }

    /// <summary>(from, total): the whole body when there is no Content-Range; a part must run to the last byte and match Content-Length.</summary>
    private static (long From, long Total)? ParseRange(HttpRequest request)
    {
        if (request.ContentLength is not { } length) return null;
        var text = request.Headers.ContentRange.ToString();
        if (text.Length == 0) return (0, length);
        if (!ContentRangeHeaderValue.TryParse(text, out var range) || range is not { From: { } from, To: { } to, Length: { } total }
            || !string.Equals(range.Unit.ToString(), "bytes", StringComparison.OrdinalIgnoreCase))
            return null;
        return to == total - 1 && to - from + 1 == length && from >= 0 ? (from, total) : null;
    }
}
