using AsyncServer.Messaging;

namespace AsyncServer.Upload;

/// <summary>One table of an upload run: the counter range (from, to] and the rows in it.</summary>
public sealed record UploadTablePlan(string JobId, string Subjob, string ChannelTable, string HqTable, long FromCounter, long ToCounter, long Rows);

/// <summary>What one upload job of one store's run did (or, for -WhatIf, would do).</summary>
public sealed record UploadRunResult(string ChannelDatabase, string JobId, long? SessionId, UploadStatus? Status, long Rows,
    IReadOnlyList<UploadTablePlan> Tables, string? PackageFile, string? Message);

/// <summary>What applying one upload session at HQ did.</summary>
public sealed record UploadApplyResult(long SessionId, string ChannelDatabase, string JobId, UploadStatus Status, long Rows, string? Message);
