module "bucket" {
  source      = "./modules/bucket"
  bucket_name = "My_Bucket"
}
