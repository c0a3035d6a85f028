module "asg" {
  source = "../../modules/asg"

  name = "sample-app-asg"                                   
  ami_id = "ami-008eba0ec68324b1d" # √Ä remplacer par votre AMI Packer
  
  min_size         = 1                                      
  max_size         = 10                                     
  desired_capacity = 3                                      

  target_group_arns = [module.alb.target_group_arn]
}

module "alb" {
  source = "../../modules/alb"
  name   = "sample-app-alb" 
}
