#include "gateway/channel.hpp"

#include <cstring>

namespace sockgate::gateway {

proto::ErrorInfo error_info(const asio::error_code& ec, std::string_view context) {
    std::string code;
    if (ec == asio::error::host_not_found || ec == asio::error::no_data) {
        code = proto::kEaiNoname;
    } else if (ec == asio::error::host_not_found_try_again) {
        code = proto::kEaiAgain;
    } else if (ec.category() == asio::system_category()) {
        code = proto::errno_name(ec.value());
    } else {
        code = "EIO";
    }
    std::string message(context);
    if (!message.empty()) message += ": ";
    message += ec.message();
    return {code, message};
}

proto::IpAddress to_ip(const asio::ip::address& a) {
    proto::IpAddress out;
    const auto plain = unmap(a);
    if (plain.is_v4()) {
        out.family = 4;
        const auto b = plain.to_v4().to_bytes();
        std::memcpy(out.bytes.data(), b.data(), b.size());
    } else {
        out.family = 6;
        const auto b = plain.to_v6().to_bytes();
        std::memcpy(out.bytes.data(), b.data(), b.size());
    }
    return out;
}

asio::ip::address from_ip(const proto::IpAddress& a) {
    if (a.family == 4) {
        asio::ip::address_v4::bytes_type b;
        std::memcpy(b.data(), a.bytes.data(), b.size());
        return asio::ip::address_v4(b);
    }
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), a.bytes.data(), b.size());
    return asio::ip::address_v6(b);
}

asio::ip::address unmap(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a;
}

proto::Endpoint to_wire(const asio::ip::tcp::endpoint& ep) { return {unmap(ep.address()).to_string(), ep.port()}; }

proto::Endpoint to_wire(const asio::ip::udp::endpoint& ep) { return {unmap(ep.address()).to_string(), ep.port()}; }

}  // namespace sockgate::gateway
