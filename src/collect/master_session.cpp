#include "collect/master_session.h"

#include <fmt/format.h>

#include "transport/frame.h"

namespace mfsmon::collect {

namespace {

constexpr int kMaxReconnects = 1;

}  // namespace

Status MasterSession::OpenFresh(const transport::Deadline& deadline) {
    borrowed_ = false;
    answers_ = 0;
    auto conn = transport::Connection::Open(host_, port_, deadline);
    if (!conn) return conn.error();
    conn_.emplace(std::move(*conn));
    return OkStatus();
}

Status MasterSession::Connect(const transport::Deadline& deadline) {
    if (pool_ != nullptr) {
        if (auto lent = pool_->TakeMaster(host_, port_)) {
            conn_.emplace(std::move(*lent));
            borrowed_ = true;
            answers_ = 0;
            return OkStatus();
        }
    }
    return OpenFresh(deadline);
}

Status MasterSession::ReplaceBorrowed(const transport::Deadline& deadline) {
    conn_.reset();
    if (auto st = OpenFresh(deadline); !st) {
        broken_ = st.error();
        return st;
    }
    if (auto st = Write(outstanding_, deadline); !st) {
        conn_.reset();
        broken_ = st.error();
        return st;
    }
    return OkStatus();
}

void MasterSession::Release() {
    if (pool_ == nullptr || !conn_ || !queued_.empty() || !outstanding_.empty()) return;
    pool_->GiveBackMaster(host_, port_, std::move(*conn_));
    conn_.reset();
}

void MasterSession::Queue(MasterRequest request) {
    queued_.push_back(std::move(request));
}

Status MasterSession::Write(const std::deque<MasterRequest>& requests,
                            const transport::Deadline& deadline) {
    std::vector<std::uint8_t> bytes;
    for (const auto& r : requests) {
        const auto frame = transport::EncodeFrame(protocol::RequestType(r.command), r.payload);
        bytes.insert(bytes.end(), frame.begin(), frame.end());
    }
    if (bytes.empty()) return OkStatus();
    return conn_->Send(bytes, deadline);
}

Status MasterSession::Flush(const transport::Deadline& deadline) {
    std::deque<MasterRequest> batch(std::make_move_iterator(queued_.begin()),
                                    std::make_move_iterator(queued_.end()));
    queued_.clear();
    const bool write = conn_.has_value();
    for (auto& r : batch) outstanding_.push_back(r);
    if (!write) return OkStatus();  // Read() reports why for each of them
    // A failed write (the master closed on an earlier request) keeps the connection for
    // reading: answers already sent are still there, and the Read() that fails next
    // reconnects once and sends everything unanswered again, this batch included.
    auto st = Write(batch, deadline);
    if (!st && UnusedBorrowed() && st.error().kind != ErrorKind::kTimeout) {
        return ReplaceBorrowed(deadline);  // closed while idle in the pool
    }
    return st;
}

void MasterSession::Reconnect(const transport::Deadline& deadline) {
    conn_.reset();
    if (reconnects_ >= kMaxReconnects || outstanding_.empty() || deadline.Expired()) return;
    ++reconnects_;
    if (auto st = OpenFresh(deadline); !st) {
        broken_ = st.error();
        return;
    }
    if (auto st = Write(outstanding_, deadline); !st) {
        conn_.reset();
        broken_ = st.error();
    }
}

Result<transport::Frame> MasterSession::Read(const transport::Deadline& deadline) {
    if (outstanding_.empty()) {
        return MakeError(ErrorKind::kInvalidArgument, "internal: no request waits for an answer");
    }
    MasterRequest request = std::move(outstanding_.front());
    outstanding_.pop_front();
    const char* name = protocol::CommandName(request.command);
    if (!conn_) {
        if (broken_) {
            return MakeError(broken_->kind,
                             fmt::format("{} not answered: {}", name, broken_->message));
        }
        return MakeError(ErrorKind::kClosed,
                         fmt::format("{} not answered: the connection to {}:{} was lost after an "
                                     "earlier request and not reopened",
                                     name, host_, port_));
    }
    auto frame = conn_->ReadReply(protocol::AnswerType(request.command), request.max_answer_length,
                                  name, deadline);
    if (frame) {
        ++answers_;
        return frame;
    }
    if (UnusedBorrowed() &&
        (frame.error().kind == ErrorKind::kClosed || frame.error().kind == ErrorKind::kIo)) {
        // Closed while idle in the pool: this request was never seen by the master.
        outstanding_.push_front(std::move(request));
        if (auto st = ReplaceBorrowed(deadline); !st) {
            outstanding_.pop_front();
            return MakeError(st.error().kind,
                             fmt::format("{} not answered: {}", name, st.error().message));
        }
        return Read(deadline);
    }
    if (frame.error().kind == ErrorKind::kTimeout) {
        // The run's time is up: nothing more can be asked.
        conn_.reset();
        broken_ = frame.error();
        return frame;
    }
    // The stream is gone or out of step: whatever came after this request is lost with it.
    Reconnect(deadline);
    if (!conn_ && !broken_) broken_ = frame.error();
    return frame;
}

}  // namespace mfsmon::collect
