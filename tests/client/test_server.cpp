#include "test_server.hpp"

#include <future>
#include <map>
#include <mutex>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

namespace sockgate::client::testing {

using WsServer = websocketpp::server<websocketpp::config::asio>;

class TestServer::Impl {
public:
    Impl(TestServer& owner, Options options) : owner_(owner), options_(options) {
        ws_.clear_access_channels(websocketpp::log::alevel::all);
        ws_.clear_error_channels(websocketpp::log::elevel::all);
        ws_.init_asio(&io_);
        ws_.set_reuse_addr(true);
        ws_.set_validate_handler([this](websocketpp::connection_hdl h) { return validate(h); });
        ws_.set_open_handler([this](websocketpp::connection_hdl h) {
            const ConnId id = next_id_++;
            conns_[id] = h;
            ids_[h] = id;
            if (owner_.on_open) owner_.on_open(id);
        });
        ws_.set_close_handler([this](websocketpp::connection_hdl h) { forget(h); });
        ws_.set_fail_handler([this](websocketpp::connection_hdl h) { forget(h); });
        ws_.set_message_handler([this](websocketpp::connection_hdl h, WsServer::message_ptr m) {
            auto it = ids_.find(h);
            if (it == ids_.end() || !owner_.on_message) return;
            owner_.on_message(it->second, m->get_opcode() == websocketpp::frame::opcode::text, m->get_payload());
        });
        const auto loopback = asio::ip::make_address("127.0.0.1");
        if (options_.never_answer) {
            silent_ = std::make_unique<asio::ip::tcp::acceptor>(io_, asio::ip::tcp::endpoint(loopback, 0));
            port_ = silent_->local_endpoint().port();
            accept_silently();
        } else {
            ws_.listen(asio::ip::tcp::endpoint(loopback, 0));
            std::error_code ec;
            port_ = ws_.get_local_endpoint(ec).port();
            ws_.start_accept();
        }
        thread_ = std::thread([this] { io_.run(); });
    }

    ~Impl() {
        run_on_server([this] {
            if (silent_) silent_->close();
            held_.clear();
            std::error_code ec;
            if (!options_.never_answer) ws_.stop_listening(ec);
            // terminate() may report the close at once, which erases from
            // conns_: iterate over a copy.
            const auto conns = conns_;
            for (auto& [id, h] : conns) {
                if (auto con = ws_.get_con_from_hdl(h, ec)) con->terminate(ec);
            }
        });
        io_.stop();
        thread_.join();
    }

    void run_on_server(const std::function<void()>& fn) {
        std::promise<void> done;
        asio::post(io_, [&] {
            fn();
            done.set_value();
        });
        done.get_future().wait();
    }

    WsServer::connection_ptr con(ConnId id) {
        auto it = conns_.find(id);
        if (it == conns_.end()) return nullptr;
        std::error_code ec;
        return ws_.get_con_from_hdl(it->second, ec);
    }

    Handshake last_handshake() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return handshake_;
    }

    uint16_t port_ = 0;

private:
    bool validate(websocketpp::connection_hdl h) {
        std::error_code ec;
        auto c = ws_.get_con_from_hdl(h, ec);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            handshake_.origin = c->get_request_header("Origin");
            handshake_.subprotocols = c->get_requested_subprotocols();
            handshake_.resource = c->get_resource();
        }
        if (options_.reject_status) {
            c->set_status(websocketpp::http::status_code::value(options_.reject_status));
            return false;
        }
        if (options_.select_subprotocol && !c->get_requested_subprotocols().empty())
            c->select_subprotocol(c->get_requested_subprotocols().front());
        return true;
    }

    void forget(websocketpp::connection_hdl h) {
        auto it = ids_.find(h);
        if (it == ids_.end()) return;
        const ConnId id = it->second;
        ids_.erase(it);
        conns_.erase(id);
        if (owner_.on_close) owner_.on_close(id);
    }

    // Keeps accepted sockets open without ever reading or answering.
    void accept_silently() {
        auto sock = std::make_shared<asio::ip::tcp::socket>(io_);
        silent_->async_accept(*sock, [this, sock](const std::error_code& ec) {
            if (ec) return;
            held_.push_back(sock);
            accept_silently();
        });
    }

    TestServer& owner_;
    Options options_;
    asio::io_context io_;
    WsServer ws_;
    std::unique_ptr<asio::ip::tcp::acceptor> silent_;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> held_;
    std::map<ConnId, websocketpp::connection_hdl> conns_;
    std::map<websocketpp::connection_hdl, ConnId, std::owner_less<websocketpp::connection_hdl>> ids_;
    ConnId next_id_ = 1;
    mutable std::mutex mutex_;
    Handshake handshake_;
    std::thread thread_;
};

TestServer::TestServer(Options options) : impl_(std::make_unique<Impl>(*this, options)) {}
TestServer::~TestServer() = default;

uint16_t TestServer::port() const { return impl_->port_; }
std::string TestServer::url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/ws"; }

void TestServer::send_text(ConnId c, const std::string& text) {
    if (auto con = impl_->con(c)) (void)con->send(text, websocketpp::frame::opcode::text);
}

void TestServer::send_binary(ConnId c, const std::string& bytes) {
    if (auto con = impl_->con(c)) (void)con->send(bytes, websocketpp::frame::opcode::binary);
}

void TestServer::close(ConnId c, uint16_t code, const std::string& reason) {
    std::error_code ec;
    if (auto con = impl_->con(c)) con->close(code, reason, ec);
}

TestServer::Handshake TestServer::last_handshake() const { return impl_->last_handshake(); }

void TestServer::run_on_server(const std::function<void()>& fn) { impl_->run_on_server(fn); }

}  // namespace sockgate::client::testing
