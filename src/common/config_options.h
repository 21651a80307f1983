// The declaration of every configuration option (see config.h).
#pragma once

#include "common/config.h"

namespace mayak::options {

extern const OptionSpec kDataDir;
extern const OptionSpec kIoThreads;
extern const OptionSpec kShutdownTimeout;
extern const OptionSpec kLogLevel;

extern const OptionSpec kListenApi;
extern const OptionSpec kListenElasticsearch;
extern const OptionSpec kListenOtlpHttp;
extern const OptionSpec kListenOtlpGrpc;
extern const OptionSpec kListenZipkin;
extern const OptionSpec kListenJaeger;
extern const OptionSpec kListenSyslog;

extern const OptionSpec kMaxBody;
extern const OptionSpec kMaxLine;
extern const OptionSpec kMaxSearchHits;
extern const OptionSpec kQueryTimeout;
extern const OptionSpec kQueryMemory;
extern const OptionSpec kMaxTails;
extern const OptionSpec kTailBacklog;
extern const OptionSpec kIdleTimeout;
extern const OptionSpec kDedupWindow;

extern const OptionSpec kWalFileSize;

extern const OptionSpec kMemtableSize;
extern const OptionSpec kFlushInterval;
extern const OptionSpec kRowGroupRows;
extern const OptionSpec kScanThreads;
extern const OptionSpec kMergeMinSegments;
extern const OptionSpec kMergeMaxSegmentSize;
extern const OptionSpec kMergeWriteRate;

extern const OptionSpec kHotDays;
extern const OptionSpec kArchiveDays;
extern const OptionSpec kCap;
extern const OptionSpec kRetentionInterval;
extern const OptionSpec kRetentionSystems;
extern const OptionSpec kRestoredDays;

extern const OptionSpec kTracesHotDays;
extern const OptionSpec kTracesArchiveDays;
extern const OptionSpec kTracesCap;

extern const OptionSpec kElasticsearchIndexSystems;

extern const OptionSpec kPipelineExpandJson;
extern const OptionSpec kPipelineRoutes;

extern const OptionSpec kRedactionSecretKeys;
extern const OptionSpec kRedactionCards;
extern const OptionSpec kRedactionEmails;
extern const OptionSpec kRedactionRules;

extern const OptionSpec kArchiveEndpoint;
extern const OptionSpec kArchiveRegion;
extern const OptionSpec kArchiveBucket;
extern const OptionSpec kArchivePrefix;
extern const OptionSpec kArchiveAccessKey;
extern const OptionSpec kArchiveSecretKey;

}  // namespace mayak::options
