fn main() {
    faultline_web::start();
}
